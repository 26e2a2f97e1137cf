"""Files sent with a referral: checked by content, stored privately under random names."""

import secrets
import zipfile

import magic
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction

from audit.services import audit_record
from core.vocabulary import AuditAction

from .. import access
from ..models import Attachment, Referral
from .drafts import check_may_continue_draft

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Detected type -> the extension the download is given (never the uploaded name's).
ALLOWED = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    DOCX: "docx",
    XLSX: "xlsx",
    "application/msword": "doc",
}
# Office Open XML files are zips; libmagic names them only when the parts come in Word's order.
_OOXML_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}
SNIFF_BYTES = 8192


class AttachmentRejected(Exception):
    """The file was not stored; the message says why, in words for the referrer."""


def _detect(upload) -> str:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    detected = magic.from_buffer(head, mime=True)
    if detected in ("application/zip", "application/octet-stream") and head[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            for part, kind in _OOXML_PARTS.items():
                if part in names:
                    return kind
    return detected


def attachment_check(*, referral: Referral, upload) -> str:
    """Raise AttachmentRejected with a specific message, or return the detected type."""
    limit = settings.REFERRAL_ATTACHMENT_MAX_FILES
    if referral.attachments.count() >= limit:
        raise AttachmentRejected(f"You can attach up to {limit} files. Remove one to add another")
    max_bytes = settings.REFERRAL_ATTACHMENT_MAX_BYTES
    if upload.size == 0:
        raise AttachmentRejected("The selected file is empty")
    if upload.size > max_bytes:
        raise AttachmentRejected(
            f"The selected file must be smaller than {max_bytes // (1024 * 1024)}MB")
    detected = _detect(upload)
    if detected not in ALLOWED:
        raise AttachmentRejected(
            "The selected file must be a PDF, Word document (.doc or .docx), Excel spreadsheet "
            "(.xlsx), or a JPEG, PNG or GIF image. Its content did not match any of these")
    return detected


@transaction.atomic
def attachment_add(*, referral: Referral, actor, upload, description: str = "",
                   request=None) -> Attachment:
    """Check the file by its content, store it under a random name, record it."""
    if not access.may_edit_draft(actor, referral):
        raise PermissionDenied("Only the referrer can attach files to their own draft.")
    check_may_continue_draft(referral, actor)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    detected = attachment_check(referral=referral, upload=upload)
    stored = default_storage.save(f"attachments/{secrets.token_hex(20)}", upload)
    try:
        attachment = Attachment.objects.create(
            referral=referral, stored_name=stored, original_name=upload.name[:255],
            description=description, content_type=detected, size=upload.size,
            uploaded_by=actor,
        )
    except Exception:
        # No row, no file: a failed insert must not leave personal data on disk.
        default_storage.delete(stored)
        raise
    audit_record(action=AuditAction.REFERRAL_ATTACHMENT_ADDED, actor=actor, request=request,
                 referral=referral, obj=attachment, detail={"content_type": detected})
    return attachment


@transaction.atomic
def attachment_remove(*, referral: Referral, actor, attachment_id: int, request=None) -> bool:
    if not access.may_edit_draft(actor, referral):
        raise PermissionDenied("Only the referrer can remove files from their own draft.")
    check_may_continue_draft(referral, actor)
    attachment = Attachment.objects.filter(referral=referral, pk=attachment_id).first()
    if attachment is None:
        return False
    stored = attachment.stored_name
    attachment.delete()
    audit_record(action=AuditAction.REFERRAL_ATTACHMENT_REMOVED, actor=actor, request=request,
                 referral=referral, detail={"attachment_id": attachment_id})
    transaction.on_commit(lambda: default_storage.delete(stored))
    return True


def download_name(attachment: Attachment) -> str:
    """The original name's stem with the extension of what the file really is."""
    stem = attachment.original_name.rsplit(".", 1)[0] or "attachment"
    safe = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in stem)[:80].strip()
    return f"{safe or 'attachment'}.{ALLOWED.get(attachment.content_type, 'bin')}"
