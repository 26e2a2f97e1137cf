import pytest
from django.core.management import call_command

from challenges.models import Challenge, ChallengeState, ChallengeStep, StepEnd
from consultations.models import Consultation, ConsultationState
from core.vocabulary import Status
from referrals.models import HouseholdMember, Referral

# The demo is made once per run by `demo_data` (tests/demo.py); the `demo` fixture loads it.
pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_referrals_cover_every_pathway_and_are_idempotent(demo):
    submitted = Referral.objects.filter(status=Status.SUBMITTED)
    assert set(submitted.values_list("pathway", flat=True)) == {
        "oppd", "mental-health", "learning-disabilities", "mash", "lado", "all-age-disability"}
    # The demo draft, and the draft a request for advice was turned into.
    assert Referral.objects.filter(status=Status.DRAFT).count() == 2
    counts = (Referral.objects.count(), Challenge.objects.count(), Consultation.objects.count(),
              HouseholdMember.objects.count())
    call_command("demo_data", verbosity=0)
    assert (Referral.objects.count(), Challenge.objects.count(), Consultation.objects.count(),
            HouseholdMember.objects.count()) == counts


def test_the_demo_has_issue_16s_routes_through_the_services(demo):
    lado = Referral.objects.get(answers__demo_key="demo-lado")
    assert (lado.pathway, lado.team.pathway) == ("lado", "lado")
    assert lado.answers["route_rule"] and lado.answers["worker_role"].startswith("Volunteer")
    aad = Referral.objects.get(answers__demo_key="demo-aad")
    assert (aad.pathway, aad.person_age_approx) == ("all-age-disability", 19)
    unborn = Referral.objects.get(answers__demo_key="demo-prebirth")
    assert unborn.pathway == "mash" and unborn.person_dob is None
    assert unborn.answers["age_known"] == "unborn" and unborn.answers["parent_name"] == "Jo Demo"
    assert unborn.household_members.count() == 3
    mash = Referral.objects.get(answers__demo_key="demo-mash")
    assert mash.household_members.filter(child_or_adult="adult").exclude(concern="").count() == 1


def test_the_demo_has_challenges_and_requests_for_advice_at_chosen_times(demo):
    states = sorted(Challenge.objects.values_list("state", flat=True))
    assert states == sorted([ChallengeState.ANSWERED, ChallengeState.UPHELD,
                             ChallengeState.AWAITING])
    assert ChallengeStep.objects.filter(end=StepEnd.UNANSWERED).count() == 1
    upheld = Challenge.objects.get(state=ChallengeState.UPHELD)
    assert upheld.level == 2  # passed on by the sweep, then answered
    assert Challenge.objects.exclude(raised_at__date=upheld.raised_at.date()).exists()

    by_state = sorted(Consultation.objects.values_list("pathway", "state"))
    assert by_state == sorted([("oppd", ConsultationState.ADVISED),
                               ("lado", ConsultationState.ADVISED),
                               ("mash", ConsultationState.CONVERTED),
                               ("mental-health", ConsultationState.WAITING)])
    waiting = Consultation.objects.get(state=ConsultationState.WAITING)
    assert waiting.missed_at is not None  # the real sweep marked the missed call back
    assert Consultation.objects.get(pathway="mash").draft.status == Status.DRAFT
