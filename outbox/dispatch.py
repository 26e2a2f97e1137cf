"""Handing committed notices to the broker: after commit, by id only, in batches.

A broker outage never fails the change that owes the notices: the rows are saved and the
requeue sweep (notices_requeue_due, every minute) hands them over once the broker is back.
The task module imports this one, so the tasks are looked up when called (tasks.py is the
outbox's own thin layer over this module and send.py).
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

from .models import Notice, NoticeStatus

log = logging.getLogger(__name__)


def notices_enqueue(notice_ids: Iterable[int], *, countdown: int | None = None) -> None:
    """Hand committed notices to the broker, NOTICE_SEND_BATCH ids per `notices_send` task.

    A broker outage must not undo or fail the business change that owes the notices: the rows
    are saved, and the requeue sweep sends them once the broker is back. After the first
    refused hand-over the rest are left to the sweep too (each would wait on the same outage).
    """
    from .tasks import notices_send

    ids = list(notice_ids)
    size = max(settings.NOTICE_SEND_BATCH, 1)
    for start in range(0, len(ids), size):
        try:
            notices_send.apply_async((ids[start:start + size],), countdown=countdown)
        except (KombuOperationalError, OSError) as error:  # the broker is unreachable
            log.warning("%s notices not queued (%s); the requeue sweep will send them",
                        len(ids) - start, type(error).__name__)
            return


def notices_enqueue_on_commit(notices: Iterable[Notice]) -> None:
    """Send these notices once the caller's transaction commits, in as few tasks as the batch
    size allows (a rolled-back change sends nothing)."""
    ids = [notice.pk for notice in notices]
    if ids:
        transaction.on_commit(partial(notices_enqueue, ids))


def notices_enqueue_many(notice_ids: list[int]) -> None:
    """Hand committed notices to the broker in one message, however many: the task splits a
    long list on the worker, so the writer pays for one publish. A broker outage must not
    fail the change that owes them: the rows are saved and the requeue sweep sends them."""
    from .tasks import notices_send_many

    if len(notice_ids) <= settings.NOTICE_SEND_BATCH:
        notices_enqueue(notice_ids)  # one batch: straight to the sending task
        return
    try:
        notices_send_many.delay(notice_ids)
    except (KombuOperationalError, OSError) as error:  # the broker is unreachable
        log.warning("%s notices not queued (%s); the requeue sweep will send them",
                    len(notice_ids), type(error).__name__)


def notices_requeue_due(*, now: datetime, batch: int | None = None) -> int:
    """Re-queue pending notices whose next try is NOTICE_REQUEUE_AFTER_MINUTES overdue.
    Claimed with SKIP LOCKED (a notice being sent right now is left alone) and pushed forward,
    so the next sweep does not pick the same ones while they are in the broker."""
    batch = batch or settings.NOTICE_REQUEUE_BATCH
    cutoff = now - timedelta(minutes=settings.NOTICE_REQUEUE_AFTER_MINUTES)
    with transaction.atomic():
        ids = list(
            Notice.objects.select_for_update(skip_locked=True)
            .filter(status=NoticeStatus.PENDING, next_try_at__lte=cutoff)
            .order_by("next_try_at")
            .values_list("pk", flat=True)[:batch]
        )
        Notice.objects.filter(pk__in=ids).update(next_try_at=now)
    notices_enqueue(ids)
    if ids:
        log.info("requeued %s pending notices", len(ids))
    return len(ids)
