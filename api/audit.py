"""Audit rows for systems' reads: one per referral read, naming the client (issue 17)."""

from audit.services import audit_record, audit_record_bulk, audit_row
from core.vocabulary import AuditAction
from referrals.access import referral_id_parse


def _http(request):
    return getattr(request, "_request", request)


def audit_reads(request, action: AuditAction, referral_ids, *, extra: dict | None = None):
    """One row per referral the response shows, in one INSERT."""
    client = request.client
    detail = {**client.audit_detail(), **(extra or {})}
    audit_record_bulk(
        audit_row(action=action, request=_http(request), referral_id=pk, obj=client,
                  detail=detail)
        for pk in referral_ids
    )


def audit_refused(request, *, referral_id, why: str):
    client = request.client
    audit_record(action=AuditAction.REFERRAL_API_REFUSED, request=_http(request),
                 referral_id=referral_id_parse(referral_id), obj=client, allowed=False,
                 detail={**client.audit_detail(), "why": why})

