"""Deadline services: open, meet, pause and resume a referral's clocks.

Called by the workflow services inside their transaction. The clocks module (working-day
calendar and policies) computes the times; this first version uses elapsed hours until the
calendar lands.
"""

from datetime import datetime, timedelta

from django.db import transaction

from .models import Deadline

# Interim elapsed-hour defaults (due, warning before due); replaced by pathways.clocks policies.
_INTERIM_HOURS = {
    "concern_decision": (8, 2),
    "mash_decision": (24, 2),
    "rag": (24, 2),
    "enquiry": (24 * 61, 24 * 30),
    "feedback": (24, 2),
}


def deadline_open(*, referral, kind: str, starts: datetime, actor=None) -> Deadline:
    """Open (or restart) the referral's clock of this kind, starting at `starts`."""
    due_hours, warn_hours = _INTERIM_HOURS[kind]
    due = starts + timedelta(hours=due_hours)
    Deadline.objects.filter(referral=referral, kind=kind, met_at__isnull=True).delete()
    return Deadline.objects.create(
        referral=referral,
        kind=kind,
        starts_at=starts,
        due_at=due,
        warning_at=due - timedelta(hours=warn_hours),
    )


@transaction.atomic
def deadline_meet(*, referral, kind: str, at: datetime) -> int:
    """Mark the open clock of this kind met; returns how many were met (0 or 1)."""
    return Deadline.objects.filter(referral=referral, kind=kind, met_at__isnull=True).update(
        met_at=at
    )


def deadlines_open_for(referral):
    return Deadline.objects.filter(referral=referral, met_at__isnull=True).order_by("due_at")
