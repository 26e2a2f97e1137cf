import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from referrals import services
from referrals.models import Attachment
from referrals.services.attachments import DOCX, XLSX, download_name

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


def ooxml(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def draft(referrer):
    from django.utils import timezone

    return services.draft_start(actor=referrer, urgency={"urgent": False, "urgent_reason": ""},
                                now=timezone.now())


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("report.pdf", PDF, "application/pdf"),
    ("photo.png", PNG, "image/png"),
    ("notes.docx", ooxml("word/document.xml"), DOCX),
    ("sheet.xlsx", ooxml("xl/workbook.xml"), XLSX),
    # The name does not decide: a PDF called .txt is still a PDF.
    ("misnamed.txt", PDF, "application/pdf"),
])
def test_accepted_by_content_and_stored_privately(draft, referrer, name, content, expected):
    attachment = services.attachment_add(referral=draft, actor=referrer,
                                         upload=upload(name, content), description="Body map")
    assert attachment.content_type == expected
    assert attachment.original_name == name
    assert name not in attachment.stored_name and attachment.stored_name.startswith("attachments/")
    with default_storage.open(attachment.stored_name) as stored:
        assert stored.read() == content


@pytest.mark.parametrize(("name", "content"), [
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("page.pdf", b"<html><body><script>alert(1)</script></body></html>"),  # HTML behind .pdf
    ("script.docx", b"#!/bin/sh\nrm -rf /\n"),
    ("archive.docx", ooxml("other/thing.xml")),  # a zip, but not an Office document
])
def test_rejected_by_content_whatever_the_name(draft, referrer, name, content):
    with pytest.raises(services.AttachmentRejected) as rejected:
        services.attachment_add(referral=draft, actor=referrer, upload=upload(name, content))
    assert "must be a PDF" in str(rejected.value)
    assert not Attachment.objects.exists()


def test_size_and_count_limits_are_settings(draft, referrer, settings):
    settings.REFERRAL_ATTACHMENT_MAX_BYTES = 1024 * 1024
    settings.REFERRAL_ATTACHMENT_MAX_FILES = 2
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(services.AttachmentRejected, match="smaller than 1MB"):
        services.attachment_add(referral=draft, actor=referrer, upload=upload("big.pdf", big))
    with pytest.raises(services.AttachmentRejected, match="empty"):
        services.attachment_add(referral=draft, actor=referrer, upload=upload("e.pdf", b""))
    for number in range(2):
        services.attachment_add(referral=draft, actor=referrer,
                                upload=upload(f"{number}.pdf", PDF))
    with pytest.raises(services.AttachmentRejected, match="up to 2 files"):
        services.attachment_add(referral=draft, actor=referrer, upload=upload("3.pdf", PDF))


def test_remove_deletes_the_file(draft, referrer, django_capture_on_commit_callbacks):
    attachment = services.attachment_add(referral=draft, actor=referrer,
                                         upload=upload("a.pdf", PDF))
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_remove(referral=draft, actor=referrer, attachment_id=attachment.pk)
    assert not default_storage.exists(attachment.stored_name)


def test_download_name_uses_the_real_type():
    attachment = Attachment(original_name="../../evil name.html", content_type="application/pdf")
    assert download_name(attachment) == "______evil name.pdf"
