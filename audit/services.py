"""The one writer of audit rows. Call it inside the request's transaction.

Actions are enumerated (core.vocabulary.AuditAction): a bare string is refused, so the audit
log cannot drift into free-text spellings of the same thing. A change to a referral writes its
audit row through referrals.record (with its timeline event); a read writes here directly.
"""

import json
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from core.vocabulary import AuditAction

from .client_address import client_address
from .models import AuditEvent

_REFUSAL_FLAG = "_audit_refusal_recorded"


def _client_ip(request):
    # The person's address through our trusted proxies, the same one the lockout uses.
    return client_address(request) if request is not None else None


def _checked(action) -> AuditAction:
    if not isinstance(action, AuditAction):
        raise TypeError(
            f"audit action must be a core.vocabulary.AuditAction, not {type(action).__name__} "
            f"{action!r}"
        )
    return action


def audit_row(
    *,
    action: AuditAction,
    actor=None,
    request=None,
    referral=None,
    referral_id: int | None = None,
    obj=None,
    allowed: bool = True,
    detail: dict | None = None,
    at=None,
) -> AuditEvent:
    """The row, unsaved (for audit_record_bulk). Same arguments as audit_record."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    row = AuditEvent(
        action=_checked(action).value,
        actor=actor,
        referral_id=referral.pk if referral is not None else referral_id,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        allowed=allowed,
        ip_address=_client_ip(request),
        path=request.path[:300] if request is not None else "",
        detail=detail or {},
    )
    if at is not None:
        row.at = at
    return row


def audit_record(
    *,
    action: AuditAction,
    actor=None,
    request=None,
    referral=None,
    referral_id: int | None = None,
    obj=None,
    allowed: bool = True,
    detail: dict | None = None,
) -> AuditEvent:
    """Append an audit row. `detail` must hold no personal data (ids and general words only).

    `referral_id` is for a referral that may not exist (a refused or mistyped id).
    """
    event = audit_row(action=action, actor=actor, request=request, referral=referral,
                      referral_id=referral_id, obj=obj, allowed=allowed, detail=detail)
    event.save(force_insert=True)
    if not allowed and request is not None:
        # Only once the row is committed: a view that audits a refusal and then raises has its
        # row rolled back, and the refused-access middleware must then write it again.
        transaction.on_commit(lambda: setattr(request, _REFUSAL_FLAG, True))
    return event


def audit_record_bulk(rows: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Append many rows built by audit_row in one INSERT (the sweep's and the demo's batches)."""
    rows = list(rows)
    for row in rows:
        _checked(AuditAction(row.action))
    return AuditEvent.objects.bulk_create(rows)


# Every column of audit_auditevent but the id: audit_record_system_bulk writes each of them.
# tests/audit/test_system_bulk.py fails if AuditEvent gains a column this list does not name.
SYSTEM_BULK_COLUMNS = (
    "at", "actor_id", "action", "referral_id", "object_type", "object_id", "allowed",
    "ip_address", "path", "detail",
)


def audit_record_system_bulk(
    *, action: AuditAction, model, rows: Iterable[tuple[int | None, object, dict | None]]
) -> int:
    """Append the rows of one system action (no actor, no request) on objects of `model`, one
    per (referral_id, object's pk, detail), in one statement; returns how many.

    Each row is the one audit_row(action=action, referral_id=..., obj=<that object>,
    detail=...) builds, every field the same (tests/audit/test_system_bulk.py holds it to
    that), without building a model instance per row: the deadline sweep writes thousands.
    On PostgreSQL `INSERT ... SELECT FROM unnest(...)`, elsewhere bulk_create.
    """
    action = _checked(action)
    rows = list(rows)
    if not rows:
        return 0
    object_type = model._meta.label_lower
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create(
            AuditEvent(action=action.value, referral_id=referral_id, object_type=object_type,
                       object_id=str(pk), detail=detail or {})
            for referral_id, pk, detail in rows
        )
        return len(rows)
    detail_field = AuditEvent._meta.get_field("detail")
    dumps = json.JSONEncoder if detail_field.encoder is None else detail_field.encoder
    encode = dumps().encode
    quote = connection.ops.quote_name
    fields = {field.attname: field for field in AuditEvent._meta.concrete_fields}

    def typed(name):
        return f"%s::{fields[name].db_type(connection)}"

    with connection.cursor() as cursor:
        cursor.execute(
            # Our own table, column names and types only; every value is a parameter.
            f"INSERT INTO {quote(AuditEvent._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(fields[name].column) for name in SYSTEM_BULK_COLUMNS)}) "
            f"SELECT {typed('at')}, NULL, {typed('action')}, u.referral_id, "
            f"{typed('object_type')}, u.object_id, true, NULL, '', u.detail::jsonb "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS u(referral_id, object_id, detail)",
            [
                timezone.now(), action.value, object_type,
                [referral_id for referral_id, _, _ in rows],
                [str(pk) for _, pk, _ in rows],
                [encode(detail or {}) for _, _, detail in rows],
            ],
        )
        return cursor.rowcount


def refusal_already_recorded(request) -> bool:
    return getattr(request, _REFUSAL_FLAG, False)
