import pytest
from django.core.management import call_command

from core.vocabulary import Status
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_demo_referrals_cover_every_pathway_and_are_idempotent():
    call_command("demo_data", verbosity=0)
    submitted = Referral.objects.filter(status=Status.SUBMITTED)
    assert set(submitted.values_list("pathway", flat=True)) == {
        "oppd", "mental-health", "learning-disabilities", "mash"}
    assert Referral.objects.filter(status=Status.DRAFT).count() == 1
    count = Referral.objects.count()
    call_command("demo_data", verbosity=0)
    assert Referral.objects.count() == count
