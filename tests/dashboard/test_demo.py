import pytest
from django.core.management import call_command

from dashboard.models import SummaryRefresh
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_demo_history_is_made_once_and_summarised():
    call_command("demo_data", verbosity=0)
    count = Referral.objects.filter(reference__startswith="DM").count()
    assert count == 540
    assert SummaryRefresh.objects.count() == 1
    call_command("demo_data", verbosity=0)
    assert Referral.objects.filter(reference__startswith="DM").count() == count
    # Every closed demo referral had feedback: the "must be zero" figure is zero in the demo.
    assert not Referral.objects.filter(reference__startswith="DM", status="closed",
                                       feedback_records__isnull=True).exists()
