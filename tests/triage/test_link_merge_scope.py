"""Defect 3 of issue 13: link and merge name a second referral, and that target goes through
the access policy in the page (reference and ?other=) and in the service. An OPPD worker once
merged an adult's referral into a MASH (children's) referral; MASH's decision on the child
then reached the adult's referrer. Referrals here are built by the submission service."""

import uuid

import pytest
from django.urls import reverse

from accounts.models import Membership, MembershipStatus, TeamMembership
from audit.models import AuditEvent
from core.vocabulary import AuditAction, Outcome, Status
from feedback.models import FeedbackRecord
from outbox.models import Notice
from referrals import services
from referrals.models import ReferralEvent, ReferralGroupObjectPermission
from tests.factories.triage import LEVEL_FOR
from tests.referrals.factories import complete_draft
from triage import transitions
from triage.models import DuplicateLink
from triage.transitions import Feedback, TransitionForbidden

pytestmark = pytest.mark.django_db

TOLD = Feedback(outcome_text="Joined with another referral.", reason="The same person.")
MASH_DECISION = Feedback(outcome_text="Children's social care will assess the family.",
                         reason="The child needs an assessment.")


@pytest.fixture
def adult_and_child(referrer, make_user, organisation):
    """An adult's referral (OPPD) and, from another referrer, a child's referral (MASH)."""
    adult = services.referral_submit(referral=complete_draft(referrer), actor=referrer,
                                     submission_key=uuid.uuid4())
    school = make_user("nurse@school.example.org", "Nia Nurse")
    Membership.objects.create(user=school, organisation=organisation,
                              status=MembershipStatus.APPROVED)
    child = services.referral_submit(referral=complete_draft(school, child=True), actor=school,
                                     submission_key=uuid.uuid4())
    assert (adult.team.pathway, child.team.pathway) == ("oppd", "mash")
    return adult, child


def _unchanged(adult, child, *, events_before):
    adult.refresh_from_db()
    assert adult.status == Status.SUBMITTED and adult.linked_to_id is None
    assert not DuplicateLink.objects.exists()
    assert not ReferralGroupObjectPermission.objects.filter(
        content_object=adult, group=child.team.group).exists()
    assert not FeedbackRecord.objects.filter(referral=adult).exists()
    assert ReferralEvent.objects.filter(referral__in=[adult, child]).count() == events_before


def _merge_form(reference):
    return {"reference": reference, "reason": "Same family", "share": "tell",
            "outcome_text": TOLD.outcome_text, "feedback_reason": TOLD.reason}


def test_oppd_worker_cannot_merge_an_adult_referral_into_a_mash_referral_by_page(
        client, adult_and_child, oppd_worker, mash_worker):
    adult, child = adult_and_child
    events = ReferralEvent.objects.filter(referral__in=[adult, child]).count()
    client.force_login(oppd_worker)
    response = client.post(reverse("triage:action", args=[adult.pk, "merge"]),
                           _merge_form(child.reference))
    assert response.status_code == 200
    assert "No referral you can act on has that reference" in response.content.decode()
    _unchanged(adult, child, events_before=events)
    # MASH decides on the child: nothing of it reaches the adult's referrer.
    transitions.referral_rag_rate(referral_id=child.pk, actor=mash_worker, rating="amber")
    transitions.referral_decide(referral_id=child.pk, actor=mash_worker,
                                outcome=Outcome.EARLY_HELP, feedback=MASH_DECISION,
                                need_level=LEVEL_FOR[Outcome.EARLY_HELP])
    assert Notice.objects.filter(recipient=child.referrer, kind__startswith="feedback:").exists()
    assert not Notice.objects.filter(recipient=adult.referrer,
                                     kind__startswith="feedback:").exists()
    assert not FeedbackRecord.objects.filter(referral=adult).exists()


def test_oppd_worker_cannot_link_to_a_mash_referral_by_page(client, adult_and_child,
                                                           oppd_worker):
    adult, child = adult_and_child
    events = ReferralEvent.objects.filter(referral__in=[adult, child]).count()
    client.force_login(oppd_worker)
    response = client.post(reverse("triage:action", args=[adult.pk, "link"]),
                           {"reference": child.reference, "reason": "Same family"})
    assert response.status_code == 200
    assert "No referral you can act on has that reference" in response.content.decode()
    _unchanged(adult, child, events_before=events)


@pytest.mark.parametrize("action", ["link", "merge"])
def test_other_in_the_query_string_never_prints_a_reference_out_of_scope(
        client, adult_and_child, oppd_worker, action):
    adult, child = adult_and_child
    client.force_login(oppd_worker)
    response = client.get(reverse("triage:action", args=[adult.pk, action]),
                          {"other": child.pk})
    assert response.status_code == 200
    assert child.reference not in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.REFERRAL_VIEWED, allowed=False,
                                     referral_id=child.pk, actor=oppd_worker).exists()


def test_other_in_the_query_string_fills_in_a_reference_in_scope(client, referrer,
                                                                 adult_and_child, oppd_worker):
    adult, _ = adult_and_child
    second = services.referral_submit(referral=complete_draft(referrer), actor=referrer,
                                      submission_key=uuid.uuid4())
    client.force_login(oppd_worker)
    response = client.get(reverse("triage:action", args=[adult.pk, "merge"]),
                          {"other": second.pk})
    assert response.context["form"].initial["reference"] == second.reference


def test_staff_page_offers_link_and_merge_only_within_the_actors_teams(
        client, referrer, adult_and_child, oppd_worker):
    adult, child = adult_and_child
    # The same person again, as a child's referral from the adult's referrer: a duplicate
    # the OPPD worker sees listed (reference only) but may not link or merge.
    client.force_login(oppd_worker)
    child.person_name, child.person_dob = adult.person_name, adult.person_dob
    child.save(update_fields=["person_name", "person_dob"])
    response = client.get(reverse("triage:referral", args=[adult.pk]))
    assert child.pk in [d.pk for d in response.context["duplicates"]]
    assert f"?other={child.pk}" not in response.content.decode()


def test_staff_page_offers_link_and_merge_for_a_duplicate_in_the_actors_teams(
        client, referrer, adult_and_child, oppd_worker):
    """The duplicates table's links (their addresses reversed once per page, issue 19) and
    the summary's status row."""
    adult, _ = adult_and_child
    second = services.referral_submit(referral=complete_draft(referrer), actor=referrer,
                                      submission_key=uuid.uuid4())
    client.force_login(oppd_worker)
    response = client.get(reverse("triage:referral", args=[adult.pk]))
    page = response.content.decode()
    assert second.pk in [d.pk for d in response.context["duplicates"]]
    link = reverse("triage:action", args=[adult.pk, "link"])
    merge = reverse("triage:action", args=[adult.pk, "merge"])
    assert f'href="{link}?other={second.pk}"' in page
    assert f'href="{merge}?other={second.pk}"' in page
    assert f'id="status">{Status(adult.status).label}</dd>' in page


@pytest.mark.parametrize("action", ["link", "merge"])
def test_service_refuses_a_target_outside_the_actors_teams(adult_and_child, oppd_worker,
                                                           action):
    """Even if a page forgot to check, the service refuses and changes nothing."""
    adult, child = adult_and_child
    events = ReferralEvent.objects.filter(referral__in=[adult, child]).count()
    audits = AuditEvent.objects.count()
    kwargs = {"feedback": TOLD} if action == "merge" else {}
    service = transitions.referral_merge if action == "merge" else transitions.referral_link
    with pytest.raises(TransitionForbidden):
        service(referral_id=adult.pk, actor=oppd_worker, other_id=child.pk,
                reason="Same family", **kwargs)
    _unchanged(adult, child, events_before=events)
    assert AuditEvent.objects.count() == audits


def test_someone_in_both_teams_may_link_across_them(adult_and_child, oppd_worker, teams):
    adult, child = adult_and_child
    TeamMembership.objects.create(user=oppd_worker, team=teams["mash"], role="triage")
    transitions.referral_link(referral_id=adult.pk, actor=oppd_worker, other_id=child.pk,
                              reason="Same family")
    adult.refresh_from_db()
    assert adult.linked_to_id == child.pk
