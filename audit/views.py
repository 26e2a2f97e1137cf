from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.vocabulary import AuditAction

from .selectors import referral_audit_for
from .services import audit_record


@login_required
def referral_audit(request, referral_pk: int):
    """A referral's audit trail, for council administrators (also in the Django admin)."""
    events = referral_audit_for(user=request.user, referral_id=referral_pk)
    audit_record(action=AuditAction.AUDIT_VIEWED, request=request, referral_id=referral_pk)
    return render(
        request, "audit/referral_audit.html", {"events": events, "referral_pk": referral_pk}
    )
