"""What the referrer is owed: feedback given by phone, the outbox worker sending what is
queued, and the deadline sweep, each through the service or task function production runs."""

from datetime import datetime

from django.test.utils import override_settings
from django.utils import timezone

from feedback.services import feedback_give_by_phone
from outbox.models import Notice, NoticeStatus
from outbox.send import notice_send_now, notices_send_now
from outbox.write import notice_queue
from referrals.sweep import deadlines_sweep

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


def notice_failed(referral, *, kind="acknowledgement", recipient_email="x@example.org",
                  now: datetime | None = None) -> Notice:
    """An email notice the outbox gave up on: queued by notice_queue, then tried by the
    worker's sender against a mail server that refuses connections until the attempts run
    out (NOTICE_MAX_ATTEMPTS), so its status, attempts and last error are the outbox's own."""
    notice = notice_queue(kind=kind, subject="Update on a referral", body="An update.",
                          recipient_email=recipient_email, referral=referral,
                          send_after_commit=False)
    with override_settings(EMAIL_BACKEND="tests.feedback.backends.DownBackend"):
        while notice_send_now(notice.pk, now=now or timezone.now()) is not None:
            pass
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED, notice.status
    return notice
