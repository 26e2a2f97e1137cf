"""The one writer of a referral's record: its timeline event and its audit row, together.

Every change to a referral that the timeline shows is written here, with an enumerated kind
(core.vocabulary.EventKind); the audit action comes from the kind (EVENT_AUDIT), so the two can
never disagree or be written one without the other. No other module writes ReferralEvent
(tests/referrals/test_record.py enforces it). Reads of a referral write an audit row only, through
audit.services.audit_record.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connections, transaction
from django.utils import timezone

from audit.services import audit_record, audit_record_bulk, audit_row
from core.vocabulary import EVENT_AUDIT, EventKind
from outbox.webhooks import webhooks_queue

from .models import ReferralEvent


def _kind(kind) -> EventKind:
    if not isinstance(kind, EventKind):
        raise TypeError(f"event kind must be a core.vocabulary.EventKind, not {kind!r}")
    return kind


def record(
    *,
    referral,
    kind: EventKind,
    actor=None,
    request=None,
    at: datetime | None = None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    visible_to_referrer: bool = False,
    detail: dict | None = None,
    audit_detail: dict | None = None,
    obj=None,
    also_audit=(),
) -> ReferralEvent:
    """Append `kind` to the referral's timeline and its audit row, in one transaction.

    `detail` is the timeline's; `audit_detail` the audit row's (ids and general words only:
    never personal data). The audit row names the event (detail "event") unless `obj` is given.
    `also_audit`: audit rows of the same change built by audit_row (a submission's
    `deadline.opened`), written before this one in the same INSERT (issue 19).
    """
    kind = _kind(kind)  # checked before the transaction: a refusal leaves the caller's intact
    # No savepoint: the callers are services that already hold a transaction, and a savepoint
    # would add two statements to every change (the query-count tests count them).
    with transaction.atomic(savepoint=False):
        event = ReferralEvent.objects.create(
            referral=referral, at=at or timezone.now(), actor=actor, kind=kind.value,
            from_status=from_status, to_status=to_status, reason=reason,
            visible_to_referrer=visible_to_referrer, detail=detail or {},
        )
        arguments = dict(action=EVENT_AUDIT[kind], actor=actor, request=request,
                         referral=referral, obj=obj if obj is not None else event,
                         detail={**(audit_detail or {}), "event": event.pk})
        if also_audit:
            audit_record_bulk([*also_audit, audit_row(**arguments)])
        else:
            audit_record(**arguments)
        # The systems that listen for this change hear of it from the outbox, after commit.
        webhooks_queue([event])
    return event


@dataclass
class Entry:
    """One change for record_bulk: the same fields as record's arguments."""

    referral: object
    kind: EventKind
    at: datetime
    actor: object = None
    from_status: str = ""
    to_status: str = ""
    reason: str = ""
    visible_to_referrer: bool = False
    detail: dict = field(default_factory=dict)
    audit_detail: dict = field(default_factory=dict)


def record_bulk(entries) -> list[ReferralEvent]:
    """Many changes at once: one INSERT of events and one of audit rows, whatever the count
    (the demo's history; any set-based batch). Same pairing as record()."""
    entries = list(entries)
    for entry in entries:
        _kind(entry.kind)
    with transaction.atomic(savepoint=False):
        events = ReferralEvent.objects.bulk_create([
            ReferralEvent(referral=e.referral, at=e.at, actor=e.actor, kind=e.kind.value,
                          from_status=e.from_status, to_status=e.to_status, reason=e.reason,
                          visible_to_referrer=e.visible_to_referrer, detail=e.detail)
            for e in entries
        ])
        audit_record_bulk(
            audit_row(action=EVENT_AUDIT[e.kind], actor=e.actor, referral=e.referral, obj=event,
                      detail={**e.audit_detail, "event": event.pk}, at=e.at)
            for e, event in zip(entries, events, strict=True)
        )
        webhooks_queue(events)
    return events


def event_horizon(using: str = "default") -> int | None:
    """The highest timeline event id at or below which every event is settled: committed (and
    visible to the caller's NEXT statement, under READ COMMITTED) or never to be. A reader that
    pages by id serves only up to it, so an event whose transaction commits late can't be
    passed over (issue 17's feed; the mechanism is in migration 0010_event_id_horizon and
    docs/decisions/0013). None on SQLite, the single-writer demo: ids commit in order there."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT referral_event_horizon()")
        return cursor.fetchone()[0]
