"""Writing notices: the only code that creates Notice rows.

notice_queue writes one; notices_queue_bulk writes many (the deadline sweep owes hundreds in
one transaction, and hands them over as plain NoticeRow tuples: notices_queue_rows);
referrer_notify writes the referrer's, on the channels they chose. Bulk keeps the same outbox
contract as notice_queue: the rows are written in the caller's
transaction, deduplicated by key, and handed to the broker by id only after commit; the requeue
sweep (notices_requeue) still covers a lost message.

Two differences, both for volume: the rows go in with one INSERT (conflicts on the dedupe key
skipped), and the broker gets one message per transaction rather than one per notice (a publish
costs about as much as writing the notice); the worker splits it into the outbox's batches (NOTICE_SEND_BATCH ids a task).
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.recipients import follow_up_person

from .channels import email_channel
from .dispatch import notices_enqueue_many, notices_enqueue_on_commit
from .models import Channel, Notice, NoticeStatus
from .wording import READ, notice_text

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


class NoticeRow(NamedTuple):
    """One notice to write as plain values (notices_queue_rows): what a NoticeDraft says, with
    the recipient's and the referral's ids instead of the objects, and the recipient's address
    filled in. A caller writing thousands (the deadline sweep) builds these directly."""

    kind: str
    recipient_id: int | None
    recipient_email: str
    referral_id: int | None
    channel: str
    subject: str
    body: str
    dedupe_key: str


def _constants(now) -> dict:
    # The columns every new notice starts with, whoever writes it.
    return {
        "status": NoticeStatus.PENDING.value, "created_at": now, "sent_at": None,
        "read_at": None, "attempts": 0, "last_error": "", "provider_reference": "",
        "next_try_at": now, "feedback_record_id": None,
    }


# Every column of feedback_notice but the id: a NoticeRow's, then the constants'.
# tests/feedback/test_bulk.py fails if Notice gains a column this list does not name.
COLUMNS = (*NoticeRow._fields, *_constants(None))


def notices_queue_bulk(drafts: Iterable[NoticeDraft]) -> list[int]:
    """Write the notices whose dedupe key is new, in the caller's transaction, and send them
    after commit. Returns the ids written (a key already in the outbox writes nothing, as with
    notice_queue). One statement on PostgreSQL, three elsewhere, whatever the number."""
    rows = []
    for draft in drafts:
        if draft.recipient is None and not draft.recipient_email:
            raise ValueError("A notice needs a recipient or an email address.")
        rows.append(NoticeRow(
            draft.kind,
            draft.recipient.pk if draft.recipient is not None else None,
            draft.recipient_email
            or (draft.recipient.email if draft.recipient is not None else ""),
            draft.referral.pk if draft.referral is not None else None,
            draft.channel, draft.subject, draft.body, draft.dedupe_key,
        ))
    return notices_queue_rows(rows)


def notices_queue_rows(rows: Iterable[NoticeRow]) -> list[int]:
    """notices_queue_bulk for notices already given as NoticeRow tuples: the same contract
    (written in the caller's transaction, the first of each dedupe key only, a key already in
    the outbox skipped, sent after commit), no object built per notice."""
    fresh: dict[str, NoticeRow] = {}
    email = email_channel()
    for row in rows:
        if not row.dedupe_key:
            raise ValueError("A bulk-queued notice needs a dedupe key (a rerun must write nothing).")
        if row.recipient_id is None and not row.recipient_email:
            raise ValueError("A notice needs a recipient or an email address.")
        if row.dedupe_key not in fresh:
            if row.channel in (Channel.EMAIL, Channel.NOTIFY) and row.channel != email:
                row = row._replace(channel=email)
            fresh[row.dedupe_key] = row
    if not fresh:
        return []
    now = timezone.now()
    if connection.vendor == "postgresql":
        ids = _insert_postgresql(list(fresh.values()), now)
    else:
        ids = _insert_portable(fresh, now)
    if ids:
        transaction.on_commit(lambda: notices_enqueue_many(ids))
    return ids


def _insert_postgresql(rows: list[NoticeRow], now) -> list[int]:
    """INSERT ... SELECT FROM unnest(one array per NoticeRow column), the constants as
    parameters, ON CONFLICT DO NOTHING RETURNING id: the new rows' ids exactly, a key already
    present skipped, in one round trip."""
    quote = connection.ops.quote_name
    by_column = {field.attname: field for field in Notice._meta.concrete_fields}
    constants = _constants(now)
    arrays = ", ".join(
        f"%s::{by_column[name].db_type(connection)}[]" for name in NoticeRow._fields
    )
    values = ", ".join(
        [f"u.{name}" for name in NoticeRow._fields]
        + [f"%s::{by_column[name].db_type(connection)}" for name in constants]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            # Our own table and column names only; every value is a parameter.
            f"INSERT INTO {quote(Notice._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(by_column[name].column) for name in COLUMNS)}) "
            f"SELECT {values} FROM unnest({arrays}) AS u({', '.join(NoticeRow._fields)}) "
            f"ON CONFLICT ({quote(Notice._meta.get_field('dedupe_key').column)}) DO NOTHING "
            "RETURNING id",
            [*constants.values(), *(list(column) for column in zip(*rows, strict=True))],
        )
        return sorted(row[0] for row in cursor.fetchall())


def _insert_portable(rows: dict[str, NoticeRow], now) -> list[int]:
    """Any database: skip the keys already there, insert the rest (a writer that committed the
    same key since the check wins, without rolling this one back), read back their ids."""
    existing = set(
        Notice.objects.filter(dedupe_key__in=list(rows)).values_list("dedupe_key", flat=True)
    )
    fresh = [Notice(**row._asdict(), **_constants(now))
             for key, row in rows.items() if key not in existing]
    if not fresh:
        return []
    Notice.objects.bulk_create(fresh, ignore_conflicts=True)
    return list(
        Notice.objects.filter(dedupe_key__in=[notice.dedupe_key for notice in fresh])
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def notice_queue(
    *,
    kind: str,
    subject: str = "",
    body: str = "",
    recipient=None,
    recipient_email: str = "",
    referral=None,
    channel: str = Channel.EMAIL,
    dedupe_key: str | None = None,
    feedback_record=None,
    send_after_commit: bool = True,
) -> Notice | None:
    """Write a notice in the caller's transaction and send it after commit.

    Without subject and body the standard wording for `kind` is used (outbox.wording), which
    is what callers should normally do: it holds no personal details. An email-channel notice
    goes by GOV.UK Notify when NOTIFY_API_KEY is set. With a dedupe_key, a second call for the
    same key writes nothing and returns None. A caller writing several notices at once can
    pass send_after_commit=False and hand them all to notices_enqueue_on_commit (one task).
    """
    if recipient is None and not recipient_email:
        raise ValueError("A notice needs a recipient or an email address.")
    if not (subject and body):
        if referral is None:
            raise ValueError("A notice without a referral needs its own subject and body.")
        subject, body = notice_text(kind, referral)
    if channel in (Channel.EMAIL, Channel.NOTIFY):
        channel = email_channel()
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                kind=kind,
                subject=subject,
                body=body,
                recipient=recipient,
                recipient_email=recipient_email or (recipient.email if recipient else ""),
                referral=referral,
                channel=channel,
                dedupe_key=dedupe_key,
                feedback_record=feedback_record,
            )
    except IntegrityError:
        if dedupe_key and Notice.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    if send_after_commit:
        notices_enqueue_on_commit([notice])
    return notice


def referrer_channels(referral) -> list[str]:
    # Portal notice always; email unless the referrer said email about this case is not safe
    # (staff then phone and record it with feedback_give_by_phone).
    channels = [Channel.PORTAL]
    if referral.feedback_preference != "phone_only":
        channels.append(Channel.EMAIL)
    return channels


def referrer_notify(
    *, referral, kind: str, dedupe_key: str | None = None, decision_due=READ,
) -> Sequence[Notice]:
    """Tell the referrer (or the colleague the follow-up was handed to:
    accounts.recipients.follow_up_person) that something happened (acknowledgement, more
    information requested, re-routed, enquiry started or concluded, information received,
    closed) in the standard general wording, in the
    portal and, unless they asked for phone only, by email. Call inside the change's
    transaction. The wording is worked out once for every channel.

    With a dedupe_key (the submission's acknowledgement) the notices are written in one
    INSERT ... ON CONFLICT DO NOTHING (notices_queue_bulk), so a second call writes nothing, and the
    notices come back as a lazy queryset: a caller that does not look pays no query.
    `decision_due`: see wording.notice_text (a submission passes the clock it opened)."""
    channels = referrer_channels(referral)
    subject, body = notice_text(kind, referral, decision_due=decision_due)
    person = follow_up_person(referral)
    if dedupe_key:
        ids = notices_queue_bulk(
            NoticeDraft(kind=kind, subject=subject, body=body, recipient=person,
                        referral=referral, channel=channel, dedupe_key=f"{dedupe_key}:{channel}")
            for channel in channels
        )
        return Notice.objects.filter(pk__in=ids).order_by("pk")
    notices = [
        notice_queue(kind=kind, subject=subject, body=body, recipient=person,
                     referral=referral, channel=channel, send_after_commit=False)
        for channel in channels
    ]
    notices_enqueue_on_commit(notices)
    return notices


def notice_failed_requeue(*, notice_id: int, now: datetime) -> Notice | None:
    """Make a failed notice pending again (attempts from zero) and send it after commit; None
    if it is not failed. The caller has checked who may (feedback.services.notice_retry_failed)
    and audits it; call inside its transaction."""
    notice = Notice.objects.select_for_update().filter(
        pk=notice_id, status=NoticeStatus.FAILED
    ).first()
    if notice is None:
        return None
    notice.status = NoticeStatus.PENDING
    notice.attempts = 0
    notice.next_try_at = now
    notice.save(update_fields=["status", "attempts", "next_try_at"])
    notices_enqueue_on_commit([notice])
    return notice


@transaction.atomic
def notices_mark_read(*, user, now: datetime) -> int:
    """The person read their portal notices."""
    return Notice.objects.filter(
        recipient=user, channel=Channel.PORTAL, read_at__isnull=True
    ).update(read_at=now)
