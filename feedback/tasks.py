"""Sending notices: one task per notice id, safe to run twice or at the same time.

The row lock is held while the notice is delivered, so a second run of the same id (a duplicate
broker message, the requeue sweep, a retry) waits for the first and then finds it sent.
Retries are bounded (NOTICE_MAX_ATTEMPTS) with exponential backoff; after the last attempt the
notice is FAILED and shows in the admin and on the administrators' failed-notices page.
"""

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .channels import PermanentFailure, deliver
from .models import Notice, NoticeStatus

log = logging.getLogger(__name__)


def retry_delay(attempts: int) -> int:
    """Seconds before the next try after `attempts` failures: base * 2^(n-1), capped.

    Capped well below the broker's visibility timeout: a countdown longer than that would be
    redelivered early by Redis (STYLE.md habit 5); the sweep covers anything lost.
    """
    base = settings.NOTICE_RETRY_BASE_SECONDS
    return min(base * 2 ** max(attempts - 1, 0), settings.NOTICE_RETRY_MAX_SECONDS)


def _error_words(error: Exception) -> str:
    # Only the class and our own messages: provider errors can echo the email address.
    if isinstance(error, PermanentFailure):
        return str(error)[:300]
    return type(error).__name__


def notice_send_now(notice_id: int, *, now: datetime | None = None) -> int | None:
    """Try to send one notice. Returns None when done (sent, failed, or nothing to do),
    or the seconds to wait before the next try."""
    now = now or timezone.now()
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("referral")
            .filter(pk=notice_id, status=NoticeStatus.PENDING)
            .first()
        )
        if notice is None:
            return None  # Already sent or failed, or never committed: nothing to do.
        notice.attempts += 1
        try:
            reference = deliver(notice)
        except Exception as error:  # every failure is recorded and retried or failed, none lost
            notice.last_error = _error_words(error)
            permanent = isinstance(error, PermanentFailure)
            if permanent or notice.attempts >= settings.NOTICE_MAX_ATTEMPTS:
                notice.status = NoticeStatus.FAILED
                delay = None
            else:
                delay = retry_delay(notice.attempts)
                notice.next_try_at = now + timedelta(seconds=delay)
            notice.save(update_fields=["attempts", "last_error", "status", "next_try_at"])
            log.warning("notice %s attempt %s failed: %s", notice.pk, notice.attempts,
                        type(error).__name__)
            return delay
        notice.status = NoticeStatus.SENT
        notice.sent_at = now
        notice.provider_reference = reference
        notice.last_error = ""
        notice.save(update_fields=["attempts", "status", "sent_at", "provider_reference",
                                   "last_error"])
        if notice.feedback_record_id and notice.is_email:
            from .services import feedback_mark_given

            feedback_mark_given(record_id=notice.feedback_record_id, at=now)
    log.info("notice %s sent", notice_id)
    return None


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def notice_send(self, notice_id: int) -> None:
    """Send one notice by id; idempotent. Retries itself with backoff until NOTICE_MAX_ATTEMPTS
    (the attempt count lives on the row, so duplicates and sweeps cannot exceed it)."""
    delay = notice_send_now(notice_id)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(ignore_result=True)
def notices_requeue(now_iso: str | None = None) -> int:
    """Beat, every minute: hand the broker again any notice still pending long after it was due
    (a lost message, or Redis down when it was queued). Bounded batch, rows locked while
    claimed so two sweeps never pick the same notice."""
    from .services import notices_requeue_due

    now = datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    return notices_requeue_due(now=now)
