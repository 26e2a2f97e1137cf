"""Regression tests for issue 13's defects 1, 2, 4 and 5: the promises to the referrer.

Every referral here is built through the form steps, the submission service and the transition
services (tests/feedback/built.py): no row is planted in a shape the product cannot reach.
"""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.vocabulary import AuditAction
from feedback.models import FeedbackRecord
from feedback.services import feedback_give_by_phone
from feedback.updates import referral_information_add
from outbox.models import Channel, Notice
from outbox.send import notices_send_now
from outbox.wording import NoticeKind
from pathways.models import Deadline
from referrals.models import ReferralEvent
from referrals.workflow import Status
from tests.factories.triage import CRITERIA_FOR
from triage import transitions
from triage.transitions import TransitionError

from .built import submitted, told

CLOSE_FORM = {"reason": "Plan reviewed; risk reduced.", "share": "tell",
              "outcome_text": "The referral is closed.", "feedback_reason": "She is safe now.",
              "msp_outcome": "fully"}


@pytest.fixture
def worker(staff_member):
    return staff_member("oppd")


@pytest.fixture
def manager(staff_member):
    return staff_member("oppd", role="manager")


def _owed(referral):
    return FeedbackRecord.objects.filter(referral=referral, given_at__isnull=True)


def _feedback_clock_running(referral) -> bool:
    return Deadline.objects.open().filter(referral=referral, kind="feedback").exists()


# --- defect 1: closed while feedback is owed -------------------------------------------------

def test_phone_only_referral_cannot_be_closed_until_its_feedback_is_recorded(
    client, referrer, worker, manager
):
    """The reproduced case: phone feedback asked for, the decision's feedback not yet given by
    phone, then the enquiry closed by the manager. Today it closed with two records not given
    and the feedback clock running."""
    referral = submitted(referrer, preference="phone_only")
    transitions.referral_decide(referral_id=referral.pk, actor=worker, outcome="s42_met",
                                detail="council", feedback=told(),
                                criteria=CRITERIA_FOR["s42_met"])
    close = {"referral_id": referral.pk, "actor": manager, "reason": CLOSE_FORM["reason"],
             "feedback": told(), "msp_outcome": "fully"}
    with pytest.raises(TransitionError) as refused:
        transitions.referral_close(**close)
    assert referral.reference in str(refused.value)
    assert "by phone only" in str(refused.value)
    referral.refresh_from_db()
    assert referral.status == Status.ENQUIRY and referral.closed_at is None
    assert _owed(referral).count() == 1

    # On the page: the same clear message, no 500, nothing changed.
    client.force_login(manager)
    response = client.post(reverse("triage:action", args=[referral.pk, "close"]), CLOSE_FORM)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Record feedback given by phone" in page and referral.reference in page
    referral.refresh_from_db()
    assert referral.status == Status.ENQUIRY

    # Staff phone and record it; the closure's own feedback must be phoned too.
    feedback_give_by_phone(referral=referral, actor=worker, given_at=timezone.now(),
                           summary="Told them an enquiry has started.")
    with pytest.raises(TransitionError) as refused:
        transitions.referral_close(**close)
    assert "told_by_phone" in refused.value.errors
    response = client.post(reverse("triage:action", args=[referral.pk, "close"]),
                           {**CLOSE_FORM, "told_by_phone": "on"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED
    records = FeedbackRecord.objects.filter(referral=referral)
    assert records.count() == 2 and all(r.given_by_phone for r in records)  # decision, close
    assert not _owed(referral).exists()
    assert not _feedback_clock_running(referral)


def test_email_referral_closes_only_once_the_decision_email_is_sent(
    referrer, worker, django_capture_on_commit_callbacks
):
    referral = submitted(referrer)
    transitions.referral_decide(referral_id=referral.pk, actor=worker,
                                outcome="not_safeguarding", detail="signposted",
                                feedback=told(signposting="Citizens Advice Southwark"),
                                criteria=CRITERIA_FOR["not_safeguarding"])
    close = {"referral_id": referral.pk, "actor": worker, "reason": "Nothing more to do.",
             "feedback": told(), "msp_outcome": "fully"}
    with pytest.raises(TransitionError) as refused:  # queued, not yet sent
        transitions.referral_close(**close)
    assert "has not been sent yet" in str(refused.value)
    notices_send_now(Notice.objects.filter(referral=referral).values_list("pk", flat=True))
    assert not _owed(referral).exists()
    with django_capture_on_commit_callbacks(execute=True):
        transitions.referral_close(**close)
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED
    assert not _owed(referral).exists() and not _feedback_clock_running(referral)


def test_closure_waits_for_feedback_owed_to_a_merged_referrer(referrer, worker, make_user,
                                                               organisation):
    """A referral merged into this one: its referrer is told of this one's decisions, so they
    are one of its referrers and closure waits for them too."""
    from accounts.models import Membership, MembershipStatus

    other = make_user("second@daycentre.example.org", "Second Referrer")
    Membership.objects.create(user=other, organisation=organisation,
                              status=MembershipStatus.APPROVED)
    kept, duplicate = submitted(referrer), submitted(other, preference="phone_only")
    transitions.referral_merge(referral_id=duplicate.pk, actor=worker, other_id=kept.pk,
                               reason="Same person.", feedback=told())
    assert _owed(duplicate).exists() and not _owed(kept).exists()
    with pytest.raises(TransitionError) as refused:
        transitions.referral_close(referral_id=kept.pk, actor=worker, reason="Done.",
                                   feedback=told(), msp_outcome="fully")
    assert duplicate.reference in str(refused.value)
    kept.refresh_from_db()
    assert kept.status == Status.SUBMITTED
    feedback_give_by_phone(referral=duplicate, actor=worker, given_at=timezone.now(),
                           summary="Told them it was joined with another referral.")
    # The duplicate's referrer asked for phone only: the closure's call is confirmed too.
    transitions.referral_close(referral_id=kept.pk, actor=worker, reason="Done.",
                               feedback=told(), told_by_phone=True, msp_outcome="fully")
    kept.refresh_from_db()
    assert kept.status == Status.CLOSED
    assert not _owed(duplicate).exists() and not _feedback_clock_running(duplicate)
    assert _owed(kept).count() == 1  # the closure's email, in the outbox, given once sent
    assert Notice.objects.filter(referral=kept, channel=Channel.EMAIL,
                                 feedback_record__isnull=False, kind="feedback:close").exists()


# --- defect 2: consent refused, full reason shown --------------------------------------------

REASON_MARKER = "Daughter-Manages-Money-Marker-5120"
RATIONALE_MARKER = "Rationale-Marker-Consent-7781"


def test_consent_refused_on_the_form_hides_staff_reasons_everywhere_the_referrer_looks(
    client, referrer, worker, make_user, organisation, django_capture_on_commit_callbacks
):
    from accounts.models import Membership, MembershipRole, MembershipStatus
    from tests.security.test_internal_fields import body_text

    lead = make_user("lead@daycentre.example.org", "Lee Lead")
    Membership.objects.create(user=lead, organisation=organisation,
                              role=MembershipRole.SAFEGUARDING_LEAD,
                              status=MembershipStatus.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        referral = submitted(referrer, consent="no")
        transitions.referral_decide(
            referral_id=referral.pk, actor=worker, outcome="not_safeguarding",
            detail="signposted", rationale=RATIONALE_MARKER,
            feedback=told(reason=REASON_MARKER, signposting="Citizens Advice Southwark"),
            criteria=CRITERIA_FOR["not_safeguarding"])
    referral.refresh_from_db()
    assert referral.consent == "no" and "consent" not in referral.answers  # the form's shape
    assert mail.outbox, "the decision was emailed"
    for message in mail.outbox:
        assert REASON_MARKER not in message.subject + message.body
    for notice in Notice.objects.filter(referral=referral):
        assert REASON_MARKER not in notice.subject + notice.body
    for person in (referrer, lead):
        client.force_login(person)
        page = client.get(reverse("feedback:status", args=[referral.pk])).content.decode()
        assert REASON_MARKER not in page and RATIONALE_MARKER not in page
        assert "did not agree to details being shared" in page  # withheld, and why
        assert "Not a safeguarding concern" in page  # whether it is a concern
        assert "Citizens Advice Southwark" in page  # where else to go
        pdf = body_text(client.get(reverse("referrals:pdf", args=[referral.pk])))
        assert referral.reference in pdf and REASON_MARKER not in pdf
    client.force_login(lead)
    listing = client.get(reverse("feedback:organisation")).content.decode()
    assert referral.reference in listing and REASON_MARKER not in listing


def test_consent_given_or_not_asked_shows_the_reason(client, referrer, worker):
    for consent in ("yes", "not_asked"):
        referral = submitted(referrer, consent=consent)
        transitions.referral_decide(
            referral_id=referral.pk, actor=worker, outcome="not_safeguarding",
            detail="signposted", feedback=told(reason=REASON_MARKER, signposting="Citizens"),
            criteria=CRITERIA_FOR["not_safeguarding"])
        client.force_login(referrer)
        page = client.get(reverse("feedback:status", args=[referral.pk])).content.decode()
        assert REASON_MARKER in page, consent


# --- defect 4: the referrer's reply moves "more information requested" on ----------------------

def test_the_referrers_reply_returns_the_referral_to_the_team_at_once(referrer, worker,
                                                                     manager):
    referral = submitted(referrer)
    transitions.referral_info_request(referral_id=referral.pk, actor=worker,
                                      question="Does she have family nearby?")
    referral_information_add(referral=referral, actor=referrer, now=timezone.now(),
                             text="Her son lives in Peckham and visits weekly.")
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED  # where it was when the team asked
    received = ReferralEvent.objects.filter(referral=referral, kind="info_received")
    assert received.count() == 1
    event = received.get()
    assert (event.from_status, event.to_status) == (Status.INFO_REQUESTED, Status.SUBMITTED)
    assert event.actor == referrer
    assert AuditEvent.objects.filter(action=AuditAction.REFERRAL_INFO_RECEIVED, referral_id=referral.pk,
                                     actor=referrer).count() == 1
    # Nobody is assigned, so the team's managers are told, as before.
    assert Notice.objects.filter(referral=referral, kind=NoticeKind.INFORMATION_ADDED,
                                 recipient=manager).exists()


def test_adding_information_at_another_status_moves_nothing(referrer, worker):
    referral = submitted(referrer)
    referral_information_add(referral=referral, actor=referrer, now=timezone.now(),
                             text="She has moved to her sister's.")
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    assert not ReferralEvent.objects.filter(referral=referral, kind="info_received").exists()


# --- defect 5: progress notices promised but never sent --------------------------------------

def _kinds(referral, channel):
    return list(Notice.objects.filter(referral=referral, recipient=referral.referrer,
                                      channel=channel).values_list("kind", flat=True))


@pytest.mark.parametrize("preference, channels", [
    ("portal_email", {Channel.PORTAL, Channel.EMAIL}), ("phone_only", {Channel.PORTAL}),
])
def test_enquiry_started_and_concluded_are_told_by_the_referrers_channels(
    referrer, worker, manager, preference, channels
):
    referral = submitted(referrer, preference=preference, consent="no")
    transitions.referral_decide(referral_id=referral.pk, actor=worker, outcome="s42_met",
                                detail="council", feedback=told(reason=REASON_MARKER),
                                criteria=CRITERIA_FOR["s42_met"])
    transitions.referral_plan(referral_id=referral.pk, actor=manager, reason=RATIONALE_MARKER)
    for channel in (Channel.PORTAL, Channel.EMAIL):
        kinds = _kinds(referral, channel)
        expected = 1 if channel in channels else 0
        assert kinds.count(NoticeKind.ENQUIRY_STARTED) == expected, channel
        assert kinds.count(NoticeKind.ENQUIRY_CONCLUDED) == expected, channel
    for notice in Notice.objects.filter(referral=referral):
        assert REASON_MARKER not in notice.body and RATIONALE_MARKER not in notice.body
        assert referral.person_name not in notice.subject + notice.body


def test_closing_an_enquiry_tells_the_referrer_it_concluded(referrer, worker, manager,
                                                           django_capture_on_commit_callbacks):
    referral = submitted(referrer)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.referral_decide(referral_id=referral.pk, actor=worker, outcome="s42_met",
                                    detail="council", feedback=told(),
                                    criteria=CRITERIA_FOR["s42_met"])
    with django_capture_on_commit_callbacks(execute=True):
        transitions.referral_close(referral_id=referral.pk, actor=manager, reason="Done.",
                                   feedback=told(), msp_outcome="partly")
    subjects = [message.subject for message in mail.outbox]
    assert f"Safeguarding enquiry started for referral {referral.reference}" in subjects
    assert f"Safeguarding enquiry concluded for referral {referral.reference}" in subjects


def test_reroute_notice_goes_by_email_as_well_as_the_portal(
    referrer, worker, teams, django_capture_on_commit_callbacks
):
    referral = submitted(referrer)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.referral_reroute(referral_id=referral.pk, actor=worker,
                                     pathway="mental-health", reason="Main need is MH.")
    assert set(Notice.objects.filter(referral=referral, kind=NoticeKind.REROUTED)
               .values_list("channel", flat=True)) == {Channel.PORTAL, Channel.EMAIL}
    emails = [m for m in mail.outbox if m.to == [referrer.email] and "passed to another team"
              in m.subject]
    assert len(emails) == 1
    assert teams["mental-health"].name in emails[0].body
    assert "Main need" not in emails[0].body  # staff's reason stays internal


def test_the_organisation_leads_reply_moves_it_on_too(referrer, worker, make_user,
                                                       organisation):
    from accounts.models import Membership, MembershipRole, MembershipStatus

    lead = make_user("lead@daycentre.example.org", "Lee Lead")
    Membership.objects.create(user=lead, organisation=organisation,
                              role=MembershipRole.SAFEGUARDING_LEAD,
                              status=MembershipStatus.APPROVED)
    referral = submitted(referrer)
    transitions.referral_info_request(referral_id=referral.pk, actor=worker,
                                      question="Who is her GP?")
    referral_information_add(referral=referral, actor=lead, now=timezone.now(),
                             text="The Lordship Lane surgery.")
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    assert AuditEvent.objects.filter(action=AuditAction.REFERRAL_INFO_RECEIVED, referral_id=referral.pk,
                                     actor=lead).count() == 1
