"""The transition services' promises beyond the table: feedback is never optional, access moves
with a re-route, merged referrers are still owed feedback, and everything is one transaction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from core.vocabulary import Outcome, Status
from feedback.models import FeedbackRecord
from outbox.models import Channel, Notice
from pathways.models import Deadline
from referrals import access
from referrals.models import ReferralEvent
from tests.factories.feedback import send_pending
from tests.factories.triage import CRITERIA_FOR, LEVEL_FOR
from triage import transitions
from triage.models import Decision, DuplicateLink
from triage.transitions import Feedback, TransitionError, TransitionForbidden

pytestmark = pytest.mark.django_db

SIGNPOSTED = Feedback(outcome_text="This is not a safeguarding concern.",
                      reason="There is no sign of abuse or neglect.",
                      signposting="Southwark Carers can help: 020 7708 4497.")


def _written():
    """What the record and feedback tables hold: a refused or rolled-back transition must add
    nothing to what submission already wrote (the acknowledgement, its event and audit row)."""
    return (FeedbackRecord.objects.count(), Notice.objects.count(),
            ReferralEvent.objects.count(), Decision.objects.count())


def test_a_decision_without_feedback_is_refused_and_writes_nothing(make_referral, oppd_worker):
    referral = make_referral()
    before = _written()
    for feedback in (None, Feedback(), Feedback(outcome_text="Not a concern.")):
        with pytest.raises(TransitionError) as error:
            transitions.referral_decide(referral_id=referral.pk, actor=oppd_worker,
                                        outcome=Outcome.NOT_SAFEGUARDING, detail="signposted",
                                        feedback=feedback,
                                        criteria=CRITERIA_FOR[Outcome.NOT_SAFEGUARDING])
        assert error.value.errors
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED and referral.outcome == ""
    assert _written() == before


def test_not_a_concern_needs_signposting(make_referral, oppd_worker):
    referral = make_referral()
    with pytest.raises(TransitionError) as error:
        transitions.referral_decide(
            referral_id=referral.pk, actor=oppd_worker, outcome=Outcome.NOT_SAFEGUARDING,
            detail="nfa", feedback=Feedback(outcome_text="Not a concern.", reason="No abuse."),
            criteria=CRITERIA_FOR[Outcome.NOT_SAFEGUARDING])
    assert "signposting" in error.value.errors


def test_not_a_concern_with_signposting_owes_the_referrer(make_referral, oppd_worker, referrer):
    referral = make_referral()
    now = timezone.now()
    transitions.referral_decide(referral_id=referral.pk, actor=oppd_worker,
                                outcome=Outcome.NOT_SAFEGUARDING, detail="signposted",
                                rationale="Internal: known to housing.", feedback=SIGNPOSTED,
                                now=now,
                                criteria=CRITERIA_FOR[Outcome.NOT_SAFEGUARDING])
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (Status.CONCERN_DECIDED,
                                                   Outcome.NOT_SAFEGUARDING)
    record = FeedbackRecord.objects.get(referral=referral)
    assert record.signposting == SIGNPOSTED.signposting and not record.withheld
    notices = Notice.objects.filter(referral=referral, recipient=referrer)
    assert {n.channel for n in notices} == {Channel.PORTAL, Channel.EMAIL}
    event = ReferralEvent.objects.get(referral=referral, kind="decided")
    # The referrer's timeline carries the reason for them, never the internal rationale.
    assert event.visible_to_referrer and event.reason == SIGNPOSTED.reason
    assert "housing" not in event.reason
    assert Decision.objects.get(referral=referral).rationale == "Internal: known to housing."
    assert Deadline.objects.get(referral=referral, kind="concern_decision").met_at == now
    assert Deadline.objects.open().filter(referral=referral, kind="feedback").exists()


def test_detail_withheld_still_tells_the_referrer(make_referral, oppd_worker):
    referral = make_referral()
    transitions.referral_decide(
        referral_id=referral.pk, actor=oppd_worker, outcome=Outcome.S42_MET, detail="police",
        feedback=Feedback(withheld=True, withheld_reason="police_investigation"),
        criteria=CRITERIA_FOR[Outcome.S42_MET])
    record = FeedbackRecord.objects.get(referral=referral)
    assert record.withheld and record.withheld_reason == "police_investigation"
    assert "withheld" in record.outcome_text
    assert Notice.objects.filter(referral=referral).exists()
    assert ReferralEvent.objects.get(kind="decided").reason.startswith("A police investigation")
    referral.refresh_from_db()
    assert referral.status == Status.ENQUIRY
    assert Deadline.objects.open().filter(referral=referral, kind="enquiry").exists()
    with pytest.raises(TransitionError):
        transitions.referral_decide(
            referral_id=referral.pk, actor=oppd_worker, outcome=Outcome.S42_MET,
            detail="police", feedback=Feedback(withheld=True, withheld_reason="because"),
            criteria=CRITERIA_FOR[Outcome.S42_MET])


def test_s42_needs_the_enquiry_type(make_referral, oppd_worker):
    referral = make_referral()
    with pytest.raises(TransitionError) as error:
        transitions.referral_decide(referral_id=referral.pk, actor=oppd_worker,
                                    outcome=Outcome.S42_MET, detail="nfa", feedback=SIGNPOSTED,
                                    criteria=CRITERIA_FOR[Outcome.S42_MET])
    assert "detail" in error.value.errors


def test_children_are_rated_rerated_then_decided(make_referral, mash_worker, referrer):
    referral = make_referral(pathway="mash", person_dob=timezone.now().date() - timedelta(
        days=365 * 9))
    with pytest.raises(TransitionError):  # a MASH decision needs a RAG rating first
        transitions.referral_decide(referral_id=referral.pk, actor=mash_worker,
                                    outcome=Outcome.EARLY_HELP, feedback=SIGNPOSTED,
                                    need_level=LEVEL_FOR[Outcome.EARLY_HELP])
    transitions.referral_rag_rate(referral_id=referral.pk, actor=mash_worker, rating="green")
    transitions.referral_rag_rate(referral_id=referral.pk, actor=mash_worker, rating="red")
    referral.refresh_from_db()
    assert (referral.status, referral.rag_rating) == (Status.RAG_RATED, "red")
    assert Deadline.objects.open().filter(referral=referral, kind="rag").count() == 1
    transitions.referral_decide(referral_id=referral.pk, actor=mash_worker,
                                outcome=Outcome.CHILD_PROTECTION, feedback=SIGNPOSTED,
                                need_level=LEVEL_FOR[Outcome.CHILD_PROTECTION])
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (Status.MASH_DECIDED, Outcome.CHILD_PROTECTION)
    assert not Deadline.objects.open().filter(referral=referral).exclude(
        kind="feedback").exists()


def test_info_request_notices_the_referrer_and_receipt_returns_to_the_status(
        make_referral, mash_worker, referrer):
    referral = make_referral(pathway="mash")
    transitions.referral_rag_rate(referral_id=referral.pk, actor=mash_worker, rating="amber")
    transitions.referral_info_request(referral_id=referral.pk, actor=mash_worker,
                                      question="Which school does the child attend?")
    assert Notice.objects.filter(referral=referral, kind="info_requested",
                                 recipient=referrer).count() == 2
    transitions.referral_info_receive(referral_id=referral.pk, actor=referrer,
                                      information="Bellenden Primary.")
    referral.refresh_from_db()
    assert referral.status == Status.RAG_RATED


def test_reroute_hands_access_over_and_keeps_received_time(make_referral, oppd_worker,
                                                           mash_worker):
    received = timezone.now() - timedelta(hours=3)
    referral = make_referral(received_at=received, urgent=True)
    referral.assignee = oppd_worker
    referral.save()
    assert access.has_grant(oppd_worker, referral) and not access.has_grant(mash_worker, referral)
    transitions.referral_reroute(referral_id=referral.pk, actor=oppd_worker, pathway="mash",
                                 reason="The person is 16.")
    referral.refresh_from_db()
    assert referral.pathway == "mash" and referral.team.pathway == "mash"
    assert referral.received_at == received and referral.assignee is None
    assert access.has_grant(mash_worker, referral) and access.has_grant(mash_worker, referral,
                                                            access.TRIAGE)
    assert not access.has_grant(oppd_worker, referral)
    assert not access.referrals_for_staff(oppd_worker).filter(pk=referral.pk).exists()
    clock = Deadline.objects.open().get(referral=referral, kind="mash_decision")
    assert clock.starts_at == received
    assert not Deadline.objects.open().filter(referral=referral, kind="concern_decision").exists()
    with pytest.raises(TransitionForbidden):
        transitions.referral_rag_rate(referral_id=referral.pk, actor=oppd_worker, rating="red")


def test_merge_keeps_every_referrer_owed(make_referral, oppd_worker, make_user, organisation):
    from accounts.models import Membership, MembershipStatus

    second_referrer = make_user("gp@surgery.example.nhs.uk", "Gita Practitioner")
    Membership.objects.create(user=second_referrer, organisation=organisation,
                              status=MembershipStatus.APPROVED)
    first = make_referral()
    duplicate = make_referral(referrer=second_referrer, person_name="Margaret Elison")
    transitions.referral_merge(
        referral_id=duplicate.pk, actor=oppd_worker, other_id=first.pk, reason="Same person",
        feedback=Feedback(outcome_text="Joined with an existing referral.",
                          reason="We already had a referral about this person."))
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.linked_to_id == first.pk
    assert DuplicateLink.objects.filter(referral=duplicate, other=first, kind="merge").exists()
    transitions.referral_decide(referral_id=first.pk, actor=oppd_worker,
                                outcome=Outcome.NOT_SAFEGUARDING, detail="signposted",
                                feedback=SIGNPOSTED,
                                criteria=CRITERIA_FOR[Outcome.NOT_SAFEGUARDING])
    # Both referrers hear about the decision.
    for referral, person in ((first, first.referrer), (duplicate, second_referrer)):
        assert FeedbackRecord.objects.filter(referral=referral,
                                             outcome_text=SIGNPOSTED.outcome_text).exists()
        assert Notice.objects.filter(referral=referral, recipient=person,
                                     kind="feedback:not_safeguarding").exists()


def test_link_changes_no_status(make_referral, oppd_worker):
    first, second = make_referral(), make_referral(status=Status.ENQUIRY)
    transitions.referral_link(referral_id=second.pk, actor=oppd_worker, other_id=first.pk)
    second.refresh_from_db()
    assert second.status == Status.ENQUIRY and second.linked_to_id == first.pk
    with pytest.raises(TransitionError):
        transitions.referral_link(referral_id=second.pk, actor=oppd_worker, other_id=second.pk)


def test_only_the_manager_signs_off_an_enquiry(make_referral, oppd_worker, oppd_manager):
    referral = make_referral(status=Status.PLAN_REVIEW)
    send_pending()  # the outbox worker sends the decision's feedback, as it would on the site
    feedback = Feedback(outcome_text="The enquiry is finished.", reason="Plan in place.")
    with pytest.raises(TransitionForbidden):
        transitions.referral_close(referral_id=referral.pk, actor=oppd_worker,
                                   reason="Done", feedback=feedback, msp_outcome="fully")
    transitions.referral_close(referral_id=referral.pk, actor=oppd_manager, reason="Done",
                               feedback=feedback, msp_outcome="fully")
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED and referral.closed_at is not None


def test_withdrawn_only_by_its_referrer_before_triage(make_referral, referrer, oppd_worker):
    referral = make_referral()
    with pytest.raises(TransitionForbidden):
        transitions.referral_withdraw(referral_id=referral.pk, actor=oppd_worker,
                                      reason="No")
    transitions.referral_withdraw(referral_id=referral.pk, actor=referrer,
                                  reason="I sent it twice.")
    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN
    assert not Deadline.objects.open().filter(referral=referral).exists()
    decided = make_referral(status=Status.CONCERN_DECIDED)
    with pytest.raises(TransitionError):
        transitions.referral_withdraw(referral_id=decided.pk, actor=referrer, reason="Late")


def test_a_failure_inside_rolls_everything_back(make_referral, oppd_worker, monkeypatch):
    """The feedback, notices, event, audit row and status change are one transaction."""
    referral = make_referral()
    before = _written()

    def broken(**kwargs):
        raise RuntimeError("clock service down")

    monkeypatch.setattr(transitions.deadlines, "deadline_open", broken)
    with pytest.raises(RuntimeError):
        transitions.referral_decide(referral_id=referral.pk, actor=oppd_worker,
                                    outcome=Outcome.NOT_SAFEGUARDING, detail="signposted",
                                    feedback=SIGNPOSTED,
                                    criteria=CRITERIA_FOR[Outcome.NOT_SAFEGUARDING])
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    assert _written() == before
    assert not AuditEvent.objects.filter(action="referral.decided").exists()
