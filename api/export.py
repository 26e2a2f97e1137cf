"""The hand-over bundle, for a case-management system without an API (issue 17): the referral
document (the API's JSON, schema version 1), the PDF and the attachments, in one zip.
Downloaded by the referral's team manager or a council administrator; audited."""

from __future__ import annotations

import io
import json
import zipfile

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from rest_framework.utils.encoders import JSONEncoder

from audit.services import audit_record
from core.vocabulary import AuditAction
from referrals.access import Need, referral_from_request
from referrals.pdf import referral_pdf
from referrals.services.attachments import download_name

from . import selectors
from .serializers import ReferralDocument


def bundle_bytes(referral, request) -> bytes:
    document = ReferralDocument(selectors.document(referral, request)).data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("referral.json", json.dumps(document, cls=JSONEncoder, indent=2))
        archive.writestr("referral.pdf", referral_pdf(referral=referral))
        for attachment in referral.attachments.all():
            with default_storage.open(attachment.stored_name, "rb") as handle:
                archive.writestr(f"attachments/{attachment.pk}-{download_name(attachment)}",
                                 handle.read())
    return buffer.getvalue()


@login_required
@require_GET
def bundle(request, referral_pk):
    referral = referral_from_request(request, referral_pk, need=Need.EXPORT,
                                     action=AuditAction.REFERRAL_BUNDLE_EXPORTED,
                                     related=("team", "organisation"))
    if referral is None:  # returned, not raised: the refusal's audit row must commit
        return render(request, "referrals/not_found.html", status=404)
    payload = bundle_bytes(referral, request)
    audit_record(action=AuditAction.REFERRAL_BUNDLE_EXPORTED, request=request,
                 referral=referral, detail={"attachments": referral.attachments.count()})
    response = HttpResponse(payload, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{referral.reference}-handover.zip"'
    response["Cache-Control"] = "no-store"
    return response
