"""The hand-over bundle (issue 17): the referral document, the PDF and the attachments in one
zip, for the team's manager or an administrator only; each download audited."""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from audit.models import AuditEvent
from core.vocabulary import AuditAction
from referrals.models import Attachment
from tests.factories.triage import worker

pytestmark = pytest.mark.django_db


def test_a_manager_downloads_the_bundle_and_others_cannot(client, decided, council_admin,
                                                          referrer, staff_member):
    stored = default_storage.save("attachments/bundle-test", ContentFile(b"%PDF-1.4\nfile"))
    Attachment.objects.create(referral=decided, stored_name=stored, original_name="notes.pdf",
                              content_type="application/pdf", size=13)
    url = f"/handover/{decided.pk}/bundle.zip"
    try:
        manager = worker(decided, manager=True)
        client.force_login(manager)
        page = client.get(f"/triage/referral/{decided.pk}/").content.decode()
        assert url in page
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        names = archive.namelist()
        assert names[:2] == ["referral.json", "referral.pdf"]
        assert any(name.startswith("attachments/") and name.endswith(".pdf") for name in names)
        document = json.loads(archive.read("referral.json"))
        assert document["reference"] == decided.reference and document["schema_version"] == "1"
        assert archive.read("referral.pdf").startswith(b"%PDF")
        row = AuditEvent.objects.get(action=AuditAction.REFERRAL_BUNDLE_EXPORTED, allowed=True)
        assert (row.actor, row.referral_id) == (manager, decided.pk)

        client.force_login(council_admin)
        assert client.get(url).status_code == 200
        for person in (worker(decided), referrer, staff_member("mash", role="manager")):
            client.force_login(person)
            assert client.get(url).status_code == 404
            assert url not in client.get(f"/triage/referral/{decided.pk}/").content.decode()
        refused = AuditEvent.objects.filter(action=AuditAction.REFERRAL_BUNDLE_EXPORTED,
                                            allowed=False)
        assert refused.count() == 3
    finally:
        default_storage.delete(stored)
