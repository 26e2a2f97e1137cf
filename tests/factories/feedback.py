"""What the referrer is owed: feedback given by phone, the outbox worker sending what is
queued, and the deadline sweep, each through the service or task function production runs."""

from datetime import datetime

from django.utils import timezone

from feedback.models import Notice, NoticeStatus
from feedback.services import feedback_give_by_phone
from feedback.tasks import notices_send_now
from pathways.sweep import deadlines_sweep

from .triage import worker


def give_by_phone(referral, actor=None, *, summary="Told them the decision by phone.",
                  now: datetime | None = None):
    return feedback_give_by_phone(referral=referral, actor=actor or worker(referral),
                                  given_at=now or timezone.now(), summary=summary)


def send_pending(*, now: datetime | None = None) -> list[int]:
    """What the Celery worker does with the queued notices (feedback.tasks.notices_send runs
    notices_send_now): send every pending notice now. Returns the ids it tried."""
    ids = list(Notice.objects.filter(status=NoticeStatus.PENDING).order_by("pk")
               .values_list("pk", flat=True))
    if ids:
        notices_send_now(ids, now=now or timezone.now())
    return ids


def sweep(*, now: datetime):
    """The once-a-minute beat sweep (pathways.tasks) at `now`."""
    return deadlines_sweep(now=now)
