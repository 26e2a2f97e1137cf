"""The outbox's Celery tasks: thin, ids only, safe to run twice.

They keep the names they had when the outbox lived in feedback ("feedback.tasks.notices_send"
and the rest): beat's schedule and any message already queued in Redis name them.
"""

from collections import defaultdict
from datetime import datetime

from celery import shared_task
from django.utils import timezone

from .dispatch import notices_enqueue, notices_requeue_due
from .send import notice_send_now, notices_send_now
from .webhooks import webhooks_enqueue, webhooks_requeue_due, webhooks_send_now


def _aware(iso: str) -> datetime:
    """An ISO 8601 time with its offset. Without one, 01:30 on the October night would be
    guessed (it happens twice in London), so a time without an offset is refused."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        raise ValueError(f"{iso!r} has no UTC offset; give one, e.g. {iso}+00:00")
    return moment


@shared_task(name="feedback.tasks.notices_send", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def notices_send(notice_ids: list[int]) -> None:
    """Send a batch of notices by id (dispatch.notices_enqueue makes the batches);
    idempotent. Each notice to try again is handed back to the broker with its own backoff,
    in one batch per delay; the attempt count lives on the row, so duplicates, retries and
    the sweep cannot exceed NOTICE_MAX_ATTEMPTS."""
    retries = notices_send_now(notice_ids)
    by_delay: dict[int, list[int]] = defaultdict(list)
    for notice_id, delay in retries.items():
        by_delay[delay].append(notice_id)
    for delay, ids in sorted(by_delay.items()):
        notices_enqueue(ids, countdown=delay)


@shared_task(name="feedback.tasks.notice_send", bind=True, acks_late=True,
             reject_on_worker_lost=True, ignore_result=True, max_retries=None)
def notice_send(self, notice_id: int) -> None:
    """Send one notice by id; idempotent. Retries itself with backoff until NOTICE_MAX_ATTEMPTS
    (the attempt count lives on the row, so duplicates and sweeps cannot exceed it)."""
    delay = notice_send_now(notice_id)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(name="feedback.tasks.notices_requeue", ignore_result=True)
def notices_requeue(now_iso: str | None = None) -> int:
    """Beat, every minute: hand the broker again any notice still pending long after it was due
    (a lost message, or Redis down when it was queued). Bounded batch, rows locked while
    claimed so two sweeps never pick the same notice."""
    now = _aware(now_iso) if now_iso else timezone.now()
    # Webhook deliveries are the outbox's other rows: the same sweep re-queues them.
    return notices_requeue_due(now=now) + webhooks_requeue_due(now=now)


@shared_task(name="feedback.bulk.notices_send_many", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def notices_send_many(notice_ids: list[int]) -> None:
    """Split one sweep's message into the outbox's own batches (notices_send,
    NOTICE_SEND_BATCH ids each, one transaction and one mail connection per batch), so several
    workers share a big sweep while the sweep itself paid for a single publish."""
    notices_enqueue(notice_ids)


@shared_task(name="outbox.tasks.webhooks_send", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def webhooks_send(delivery_ids: list[int]) -> None:
    """Post a batch of webhook deliveries by id (outbox.webhooks); idempotent, as notices_send
    is: each to try again goes back to the broker with its own back-off."""
    retries = webhooks_send_now(delivery_ids)
    by_delay: dict[int, list[int]] = defaultdict(list)
    for delivery_id, delay in retries.items():
        by_delay[delay].append(delivery_id)
    for delay, ids in sorted(by_delay.items()):
        webhooks_enqueue(ids, countdown=delay)
