"""Sending notices (the tasks in outbox.tasks call this): ids only, safe twice or at once.

`notices_send(ids)` sends up to NOTICE_SEND_BATCH notices in one transaction: it locks the
pending ones among them (`SELECT ... FOR UPDATE SKIP LOCKED`), delivers each through one email
connection / one Notify session, and commits their outcomes once. A notice another worker holds
is skipped (that worker sends it); one that is already sent or failed is left alone. Each
notice's failure is recorded on its own row and retried on its own, with exponential backoff,
so one failing notice neither blocks nor re-sends the others. After NOTICE_MAX_ATTEMPTS the
notice is FAILED and shows in the admin and on the administrators' failed-notices page.
`notice_send(id)` is the same code for one id (callers and tests that hand over a single
notice). docs/decisions/0006 and 0007 say why, and what a killed worker can still repeat.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .channels import NoticeSender, PermanentFailure
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


def _deliver(sender: NoticeSender, notice: Notice, now: datetime) -> str:
    if notice.feedback_record_id and notice.is_email:
        # The one call from the outbox to a layer above it (pyproject ignore_imports,
        # docs/decisions/0011): the email that carries feedback is what gives it.
        from feedback.services import feedback_mark_given

        # Sending this email gives the feedback. A savepoint around both: if delivery fails
        # the feedback is not marked given, and if marking fails nothing is sent.
        with transaction.atomic():
            feedback_mark_given(record_id=notice.feedback_record_id, at=now)
            return sender.deliver(notice)
    return sender.deliver(notice)


def _record_failure(notice: Notice, error: Exception, now: datetime) -> int | None:
    """Write the failed attempt on the notice; return the seconds before its next try, or
    None when it is now FAILED (refused, or out of attempts)."""
    notice.last_error = _error_words(error)
    if isinstance(error, PermanentFailure) or notice.attempts >= settings.NOTICE_MAX_ATTEMPTS:
        notice.status = NoticeStatus.FAILED
        delay = None
    else:
        delay = retry_delay(notice.attempts)
        notice.next_try_at = now + timedelta(seconds=delay)
    notice.save(update_fields=["attempts", "last_error", "status", "next_try_at"])
    log.warning("notice %s attempt %s failed: %s", notice.pk, notice.attempts,
                type(error).__name__)
    return delay


def _record_sent(sent: list[Notice], now: datetime) -> None:
    """Mark the delivered notices sent: one UPDATE, plus one for Notify's references."""
    Notice.objects.filter(pk__in=[notice.pk for notice in sent]).update(
        status=NoticeStatus.SENT, sent_at=now, last_error="", attempts=F("attempts") + 1,
    )
    referenced = [notice for notice in sent if notice.provider_reference]
    if referenced:
        Notice.objects.bulk_update(referenced, ["provider_reference"])


def notices_send_now(
    notice_ids: Iterable[int], *, now: datetime | None = None
) -> dict[int, int]:
    """Try to send the pending notices among `notice_ids`, in one transaction.

    Returns {notice id: seconds before its next try} for the notices that failed and will be
    tried again; sent, failed, locked elsewhere or unknown ids are done with here."""
    now = now or timezone.now()
    retries: dict[int, int] = {}
    with transaction.atomic():
        notices = list(
            Notice.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(pk__in=list(notice_ids), status=NoticeStatus.PENDING)
            # The referrer's id only: the referral row (the person's details) is not loaded.
            .annotate(referral_referrer_id=F("referral__referrer_id"))
            .order_by("pk")
        )
        sent = []
        with NoticeSender() as sender:
            for notice in notices:
                notice.attempts += 1
                try:
                    notice.provider_reference = _deliver(sender, notice, now)
                except Exception as error:  # every failure is recorded and retried or failed
                    delay = _record_failure(notice, error, now)
                    if delay is not None:
                        retries[notice.pk] = delay
                    continue
                sent.append(notice)
        if sent:
            _record_sent(sent, now)
    if sent:
        log.info("notices sent: %s", " ".join(str(notice.pk) for notice in sent))
    return retries


def notice_send_now(notice_id: int, *, now: datetime | None = None) -> int | None:
    """Try to send one notice. Returns None when done (sent, failed, or nothing to do),
    or the seconds to wait before the next try."""
    return notices_send_now([notice_id], now=now).get(notice_id)
