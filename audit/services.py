"""The one writer of audit rows. Call it inside the request's transaction."""

from django.db import transaction

from .client_address import client_address
from .models import AuditEvent

_REFUSAL_FLAG = "_audit_refusal_recorded"


def _client_ip(request):
    # The person's address through our trusted proxies, the same one the lockout uses.
    return client_address(request) if request is not None else None


def audit_record(
    *,
    action: str,
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
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    event = AuditEvent.objects.create(
        action=action,
        actor=actor,
        referral_id=referral.pk if referral is not None else referral_id,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        allowed=allowed,
        ip_address=_client_ip(request),
        path=request.path[:300] if request is not None else "",
        detail=detail or {},
    )
    if not allowed and request is not None:
        # Only once the row is committed: a view that audits a refusal and then raises has its
        # row rolled back, and the refused-access middleware must then write it again.
        transaction.on_commit(lambda: setattr(request, _REFUSAL_FLAG, True))
    return event


def refusal_already_recorded(request) -> bool:
    return getattr(request, _REFUSAL_FLAG, False)
