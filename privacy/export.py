"""Subject access export for one person with an account (UK GDPR Article 15), JSON and PDF.

It holds what the portal records about the person themself: account, memberships, the
referrals they made (metadata), notices sent to them and their audit trail. The content of a
referral is mostly about other people (the adult or child at risk, alleged persons): it is
listed by reference only, for the council's information governance team to review and redact
before disclosure (ICO guidance on third-party data in a subject access request).
"""

import json

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from audit.models import AuditEvent
from audit.services import audit_record
from core.vocabulary import AuditAction
from feedback.models import Notice
from referrals import access
from referrals.models import Referral
from referrals.pdf import STATIC_PREFIX, StaticOnlyFetcher


def subject_access_data(*, person, now) -> dict:
    membership = getattr(person, "membership", None)
    return {
        "generated_at": now.isoformat(),
        "account": {
            "id": person.pk, "email": person.email, "full_name": person.full_name,
            "job_title": person.job_title, "phone": person.phone,
            "email_verified": person.email_verified, "is_active": person.is_active,
            "date_joined": person.date_joined, "last_login": person.last_login,
        },
        "organisation_membership": None if membership is None else {
            "organisation": membership.organisation.name, "role": membership.role,
            "status": membership.status, "requested_at": membership.requested_at,
            "decided_at": membership.decided_at,
        },
        "teams": [
            {"team": m.team.name, "role": m.role}
            for m in person.team_memberships.select_related("team")
        ],
        "referrals_made": [
            {"reference": r.reference or "(draft)", "status": r.status, "pathway": r.pathway,
             "created_at": r.created_at, "received_at": r.received_at, "closed_at": r.closed_at}
            for r in Referral.objects.filter(referrer=person).order_by("created_at")
        ],
        "notices": [
            {"kind": n.kind, "channel": n.channel, "subject": n.subject, "status": n.status,
             "created_at": n.created_at, "sent_at": n.sent_at}
            for n in Notice.objects.filter(recipient=person).order_by("created_at")
        ],
        "activity": [
            {"at": e.at, "action": e.action, "allowed": e.allowed, "referral_id": e.referral_id,
             "ip_address": e.ip_address, "path": e.path}
            for e in AuditEvent.objects.filter(actor=person).order_by("at", "id")
        ],
    }


@transaction.atomic
def subject_access_export(*, person, actor, fmt: str, request=None, now=None) -> bytes:
    """The export as JSON or PDF bytes; the export itself is audited (who, for whom, format)."""
    if not access.is_administrator(actor):
        raise PermissionDenied("Only council administrators can export a person's data.")
    if fmt not in ("json", "pdf"):
        raise ValueError("Format must be json or pdf.")
    now = now or timezone.now()
    data = subject_access_data(person=person, now=now)
    audit_record(action=AuditAction.PRIVACY_SUBJECT_ACCESS_EXPORTED, actor=actor, request=request,
                 obj=person, detail={"format": fmt})
    if fmt == "json":
        return json.dumps(data, cls=DjangoJSONEncoder, indent=2).encode()
    html = render_to_string("privacy/subject_access.html", {"data": data, "person": person})
    return HTML(string=html, base_url=STATIC_PREFIX + "/",
                url_fetcher=StaticOnlyFetcher()).write_pdf()
