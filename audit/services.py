"""The one writer of audit rows. Call it inside the request's transaction."""

from .models import AuditEvent


def _client_ip(request):
    return request.META.get("REMOTE_ADDR") if request is not None else None


def audit_record(
    *,
    action: str,
    actor=None,
    request=None,
    referral=None,
    obj=None,
    allowed: bool = True,
    detail: dict | None = None,
) -> AuditEvent:
    """Append an audit row. `detail` must hold no personal data (ids and general words only)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        referral_id=referral.pk if referral is not None else None,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        allowed=allowed,
        ip_address=_client_ip(request),
        path=request.path[:300] if request is not None else "",
        detail=detail or {},
    )
