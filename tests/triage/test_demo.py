import pytest
from django.utils import timezone

from accounts.demo import demo_people_ensure
from core.vocabulary import Role, Status
from dashboard.figures.context import Context
from dashboard.figures.duties import duties_by_kind
from dashboard.scope import Scope
from referrals.models import DutyState, Referral
from triage.demo import demo_triage_ensure


@pytest.mark.django_db
def test_demo_has_referrals_in_every_state_and_is_idempotent():
    demo_people_ensure()
    count = demo_triage_ensure()
    assert demo_triage_ensure() == count == Referral.objects.count()
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == set(Status.values) - {Status.DRAFT}
    rerouted = Referral.objects.get(events__kind="rerouted")
    assert rerouted.pathway == "mash" and rerouted.team.pathway == "mash"
    assert Referral.objects.filter(linked_to__isnull=False).count() == 2


@pytest.mark.django_db
def test_demo_has_parallel_duties_for_the_dashboard():
    """Issue 16, part 4: a domestic abuse referral over the MARAC threshold (recorded done)
    and an adult's radicalisation (Prevent, not yet recorded), through the real services."""
    demo_people_ensure()
    demo_triage_ensure()
    marac = Referral.objects.get(answers__demo_key="triage-oppd-marac")
    assert [(d.duty.key, d.state) for d in marac.duties.select_related("duty")] == [
        ("marac", DutyState.DONE)]
    assert marac.events.filter(kind="duty_recorded").exists()
    prevent = Referral.objects.get(answers__demo_key="triage-mh-prevent")
    assert [(d.duty.key, d.state) for d in prevent.duties.select_related("duty")] == [
        ("prevent", DutyState.PENDING)]
    ctx = Context(scope=Scope(role=Role.COUNCIL_ADMIN), now=timezone.now(),
                  filters={"months": 12, "grain": "month"})
    rows = {row[0]: row[1:] for row in duties_by_kind(ctx).rows}
    assert rows["MARAC referral (high-risk domestic abuse)"] == [1, 1, 0, 0]
    assert rows["Prevent referral (radicalisation)"] == [1, 0, 0, 1]
    # The Emergency Duty Team's row depends on the hour the demo is made (its urgent referrals
    # are sent hours before then: out of hours at night and at weekends).
    assert set(rows) - {"Emergency Duty Team told (out of hours)"} == {
        "MARAC referral (high-risk domestic abuse)", "Prevent referral (radicalisation)",
        "All duties"}
