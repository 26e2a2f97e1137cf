"""Issue 16 through the real services: the LADO's route, clock, outcomes and feedback; the
PiPoT and transition flags; the All Age Disability service on the adults' workflow."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.vocabulary import Outcome, Status
from outbox.models import Notice
from referrals.workflow import outcomes_for, transition_find
from tests.factories import triage
from tests.factories.referrals import referral_submit

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
FRIDAY_4PM = datetime(2026, 12, 4, 16, 0, tzinfo=LONDON)


@pytest.fixture
def lado_referral(referrer):
    return referral_submit(referrer, lado=True, now=FRIDAY_4PM)


def test_an_allegation_about_a_volunteer_reaches_the_lado_with_its_clock(lado_referral):
    referral = lado_referral
    assert (referral.pathway, referral.team.pathway) == ("lado", "lado")
    assert referral.answers["route_rule"] == "Allegation against someone who works with children"
    assert referral.answers["worker_employer"] == "A church youth group"
    clock = referral.deadlines.get(kind="concern_decision")
    # Initial consideration within one working day: Friday 4pm -> Monday 5pm.
    assert clock.due_at == datetime(2026, 12, 7, 17, 0, tzinfo=LONDON)


def test_the_lado_decides_with_its_own_outcomes_and_the_referrer_is_told(lado_referral):
    assert outcomes_for("lado") == Outcome.lado()
    assert transition_find(action="decide", status=Status.SUBMITTED, pathway="lado",
                           outcome=Outcome.S42_MET) is None
    before = set(Notice.objects.values_list("pk", flat=True))
    triage.decide(lado_referral, Outcome.LADO_ADVICE, now=FRIDAY_4PM.replace(hour=17))
    lado_referral.refresh_from_db()
    assert (lado_referral.status, lado_referral.outcome) == (Status.CONCERN_DECIDED,
                                                             Outcome.LADO_ADVICE)
    assert lado_referral.deadlines.get(kind="concern_decision").met_at is not None
    told = Notice.objects.exclude(pk__in=before).filter(recipient=lado_referral.referrer)
    assert told.filter(kind__startswith="feedback:").exists()


def test_an_adult_in_a_position_of_trust_is_flagged_pipot(referrer):
    from tests.factories.referrals import WORKER

    referral = referral_submit(referrer, overrides={
        "needs": {"allegation_about_worker": "yes"}, "worker": WORKER})
    assert referral.pathway == "oppd"
    assert referral.answers["route_flags"] == ["pipot"]


def test_a_17_year_old_with_care_needs_is_flagged_for_transition(referrer):
    referral = referral_submit(referrer, child=True, overrides={
        "person": {"person_age_approx": "17"}, "needs": {"main_need": "learning_disability"}})
    assert referral.pathway == "mash"
    assert referral.answers["route_flags"] == ["transition_planning"]


def test_aad_runs_the_adults_workflow(referrer):
    referral = referral_submit(referrer, pathway="all-age-disability")
    triage.decide(referral, Outcome.S42_MET)
    referral.refresh_from_db()
    assert referral.status == Status.ENQUIRY


def test_a_pre_birth_referral_goes_to_mash_with_the_expected_date(referrer):
    from django.utils import timezone

    from tests.factories.referrals import pre_birth_overrides

    today = timezone.localdate()
    referral = referral_submit(referrer, child=True, overrides=pre_birth_overrides(today))
    assert (referral.pathway, referral.person_dob, referral.person_age_approx) == (
        "mash", None, None)
    assert referral.answers["route_rule"] == "Unborn baby"
    assert referral.answers["parent_name"] == "Ana Lopes"
    assert referral.answers["child_too_young"] is True
    assert referral.deadlines.filter(kind="mash_decision").exists()


def test_pre_birth_and_child_voice_errors_are_specific(referrer):
    from datetime import timedelta

    from django.utils import timezone

    from referrals.forms import ChildForm, PreBirthForm
    from referrals.models import Referral

    yesterday = timezone.localdate() - timedelta(days=1)
    form = PreBirthForm({"expected_delivery_0": str(yesterday.day),
                         "expected_delivery_1": str(yesterday.month),
                         "expected_delivery_2": str(yesterday.year)}, referral=Referral())
    assert form.errors["expected_delivery"][0].startswith(
        "The expected date of delivery must be today or in the future")
    assert form.errors["parent_name"] == ["Enter the full name of the mother or expectant parent"]
    child = ChildForm({"parents_aware": "yes", "parents_agree": "yes"}, referral=Referral())
    assert child.errors["child_voice"] == [
        "Enter what the child says and what daily life is like for them, or select that the "
        "child is too young to say"]
