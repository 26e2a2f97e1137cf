"""Reading the audit: only council administrators, and the reading is itself audited."""

from django.core.exceptions import PermissionDenied

from .models import AuditEvent


def audit_can_read(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_council_admin)


def referral_audit_for(*, user, referral_id: int, limit: int = 500):
    if not audit_can_read(user):
        raise PermissionDenied
    return list(
        AuditEvent.objects.filter(referral_id=referral_id)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
