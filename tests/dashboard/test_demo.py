import pytest
from django.core.management import call_command

from dashboard.models import SummaryRefresh
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_demo_history_is_made_once_and_summarised(settings):
    call_command("demo_data", verbosity=0)
    count = Referral.objects.filter(answers__demo_key__startswith="history-").count()
    assert count == 12 * settings.DEMO_HISTORY_PER_MONTH
    assert SummaryRefresh.objects.count() == 1
    call_command("demo_data", verbosity=0)
    assert Referral.objects.filter(answers__demo_key__startswith="history-").count() == count
    # Every closed demo referral had feedback: the "must be zero" figure is zero in the demo.
    assert not Referral.objects.filter(answers__demo_key__startswith="history-", status="closed",
                                       feedback_records__isnull=True).exists()


def test_demo_history_stores_each_referrals_next_clock_for_the_queue():
    """The demo's clocks come from the deadline services, which store each referral's first
    running clock for the triage queue."""
    from django.db.models import Min, Q

    call_command("demo_data", verbosity=0)
    demo = Referral.objects.filter(answers__demo_key__startswith="history-").annotate(
        first_open=Min("deadlines__due_at", filter=Q(deadlines__met_at__isnull=True,
                                                     deadlines__cancelled_at__isnull=True)))
    assert demo.filter(first_open__isnull=False).exists()
    assert [(r.reference, r.next_due_at) for r in demo if r.next_due_at != r.first_open] == []
