"""Queueing many notices at once, for writers that owe hundreds in one transaction (the deadline
sweep). The same outbox contract as notice_queue: the rows are written in the caller's
transaction, deduplicated by key, and handed to the broker by id only after commit; the requeue
sweep (notices_requeue) still covers a lost message.

Two differences, both for volume: the rows go in with one INSERT (conflicts on the dedupe key
skipped), and the broker gets one message per transaction rather than one per notice (a publish
costs about as much as writing the notice); the worker splits it into the outbox's batches (NOTICE_SEND_BATCH ids a task).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from .channels import email_channel
from .models import Channel, Notice, NoticeStatus

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class NoticeDraft:
    """One notice to write. General words only in subject and body (no personal details)."""

    kind: str
    subject: str
    body: str
    dedupe_key: str
    recipient: object = None  # a User, or None with recipient_email (a team inbox)
    recipient_email: str = ""
    referral: object = None
    channel: str = Channel.EMAIL


# Every column of feedback_notice but the id, in the order of the PostgreSQL INSERT below.
# tests/feedback/test_bulk.py fails if Notice gains a column this list does not name.
COLUMNS = (
    "kind", "recipient_id", "recipient_email", "referral_id", "channel", "status", "subject",
    "body", "dedupe_key", "created_at", "sent_at", "read_at", "attempts", "last_error",
    "provider_reference", "next_try_at", "feedback_record_id",
)


def notices_queue_bulk(drafts: Iterable[NoticeDraft]) -> list[int]:
    """Write the notices whose dedupe key is new, in the caller's transaction, and send them
    after commit. Returns the ids written (a key already in the outbox writes nothing, as with
    notice_queue). One statement on PostgreSQL, three elsewhere, whatever the number."""
    rows: dict[str, dict] = {}
    now, email = timezone.now(), email_channel()
    for draft in drafts:
        if not draft.dedupe_key:
            raise ValueError("A bulk-queued notice needs a dedupe key (a rerun must write nothing).")
        if draft.recipient is None and not draft.recipient_email:
            raise ValueError("A notice needs a recipient or an email address.")
        rows.setdefault(draft.dedupe_key, {
            "kind": draft.kind,
            "recipient_id": draft.recipient.pk if draft.recipient is not None else None,
            "recipient_email": draft.recipient_email
            or (draft.recipient.email if draft.recipient is not None else ""),
            "referral_id": draft.referral.pk if draft.referral is not None else None,
            "channel": email if draft.channel in (Channel.EMAIL, Channel.NOTIFY) else draft.channel,
            "status": NoticeStatus.PENDING.value,
            "subject": draft.subject,
            "body": draft.body,
            "dedupe_key": draft.dedupe_key,
            "created_at": now,
            "sent_at": None,
            "read_at": None,
            "attempts": 0,
            "last_error": "",
            "provider_reference": "",
            "next_try_at": now,
            "feedback_record_id": None,
        })
    if not rows:
        return []
    if connection.vendor == "postgresql":
        ids = _insert_postgresql(list(rows.values()))
    else:
        ids = _insert_portable(rows)
    if ids:
        transaction.on_commit(lambda: notices_enqueue(ids))
    return ids


def _insert_postgresql(rows: list[dict]) -> list[int]:
    """INSERT ... SELECT FROM unnest(one array per column) ON CONFLICT DO NOTHING RETURNING id:
    the new rows' ids exactly, a key already present skipped, in one round trip."""
    quote = connection.ops.quote_name
    by_column = {field.attname: field for field in Notice._meta.concrete_fields}
    fields = [by_column[name] for name in COLUMNS]
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            # Our own table and column names only; every value is a parameter.
            f"INSERT INTO {quote(Notice._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(field.column) for field in fields)}) "
            f"SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT ({quote(Notice._meta.get_field('dedupe_key').column)}) DO NOTHING "
            "RETURNING id",
            [[row[name] for row in rows] for name in COLUMNS],
        )
        return sorted(row[0] for row in cursor.fetchall())


def _insert_portable(rows: dict[str, dict]) -> list[int]:
    """Any database: skip the keys already there, insert the rest (a writer that committed the
    same key since the check wins, without rolling this one back), read back their ids."""
    existing = set(
        Notice.objects.filter(dedupe_key__in=list(rows)).values_list("dedupe_key", flat=True)
    )
    fresh = [Notice(**row) for key, row in rows.items() if key not in existing]
    if not fresh:
        return []
    Notice.objects.bulk_create(fresh, ignore_conflicts=True)
    return list(
        Notice.objects.filter(dedupe_key__in=[notice.dedupe_key for notice in fresh])
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def notices_enqueue(notice_ids: list[int]) -> None:
    """Hand committed notices to the broker in one message, however many: the task splits a
    long list on the worker, so the writer pays for one publish. A broker outage must not
    fail the change that owes them: the rows are saved and the requeue sweep sends them."""
    from .services import notices_enqueue as batches_enqueue

    if len(notice_ids) <= settings.NOTICE_SEND_BATCH:
        batches_enqueue(notice_ids)  # one batch: straight to the sending task
        return
    try:
        notices_send_many.delay(notice_ids)
    except (KombuOperationalError, OSError) as error:  # the broker is unreachable
        log.warning("%s notices not queued (%s); the requeue sweep will send them",
                    len(notice_ids), type(error).__name__)


@shared_task(name="feedback.bulk.notices_send_many", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def notices_send_many(notice_ids: list[int]) -> None:
    """Split one sweep's message into the outbox's own batches (feedback.tasks.notices_send,
    NOTICE_SEND_BATCH ids each, one transaction and one mail connection per batch), so several
    workers share a big sweep while the sweep itself paid for a single publish."""
    from .services import notices_enqueue as batches_enqueue

    batches_enqueue(notice_ids)
