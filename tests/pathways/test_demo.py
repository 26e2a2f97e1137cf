"""The demo shows every clock state from the start: a pause, and the first sweep's alerts."""

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from pathways.models import ClockPause, Deadline

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_has_a_paused_clock_and_has_been_swept(demo):
    pause = ClockPause.objects.select_related("deadline").get()
    assert pause.deadline.kind == "enquiry" and pause.deadline.paused_at is not None
    # Urgent demo referrals received hours ago and not yet picked up: the managers were told.
    assert AuditEvent.objects.filter(action="referral.urgent_not_picked_up").exists()
    alerts = AuditEvent.objects.filter(action="referral.urgent_not_picked_up").count()
    call_command("demo_data", verbosity=0)
    assert ClockPause.objects.count() == 1
    assert AuditEvent.objects.filter(action="referral.urgent_not_picked_up").count() == alerts
    assert Deadline.objects.filter(referral__answers__demo_key__startswith="triage-").exists()
