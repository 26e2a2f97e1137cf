import pytest

from accounts.demo import demo_people_ensure
from core.vocabulary import Status
from referrals.models import Referral
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
