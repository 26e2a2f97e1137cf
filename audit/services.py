"""The one writer of audit rows. Call it inside the request's transaction.

Actions are enumerated (core.vocabulary.AuditAction): a bare string is refused, so the audit
log cannot drift into free-text spellings of the same thing. A change to a referral writes its
audit row through referrals.record (with its timeline event); a read writes here directly.
"""

from collections.abc import Iterable

from django.db import transaction

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


def refusal_already_recorded(request) -> bool:
    return getattr(request, _REFUSAL_FLAG, False)
