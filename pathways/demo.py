"""Demo clocks: one paused clock, so the demo shows every clock state (running, due soon,
overdue and breached with the managers told, paused, met) as soon as it starts, once the
demo_data command has run the first sweep (referrals.sweep; beat then sweeps every minute).
Idempotent. Needs the triage demo referrals first."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .deadlines import deadline_pause
from .models import ClockPause, Deadline, PauseReason


@transaction.atomic
def demo_clocks_ensure(now=None) -> None:
    now = now or timezone.now()
    demo = Deadline.objects.filter(referral__answers__demo_key__startswith="triage-")
    if not ClockPause.objects.filter(deadline__in=demo).exists():
        enquiry = demo.open().filter(kind="enquiry").select_related("referral").first()
        if enquiry is not None:
            deadline_pause(
                referral=enquiry.referral,
                kind="enquiry",
                at=now,
                reason=PauseReason.POLICE,
                note="Demo: the police asked us to wait for their interview.",
                actor=User.objects.filter(email="manager.oppd@council.example.gov.uk").first(),
            )
