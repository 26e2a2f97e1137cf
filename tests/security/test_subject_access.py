"""Subject access export (JSON and PDF) for one person, only by administrators, audited."""

import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from audit.services import audit_record
from referrals.models import Referral
from tests.conftest import otp_login


@pytest.fixture
def history(referrer, organisation, teams):
    Referral.objects.create(reference="SR-SAR01", pathway="oppd", team=teams["oppd"],
                            status="submitted", referrer=referrer, organisation=organisation,
                            person_name="Third Party Person")
    audit_record(action="referral.viewed", actor=referrer, referral_id=1)


def test_an_administrator_exports_json(client, council_admin, referrer, history, mfa_enforced):
    otp_login(client, council_admin)
    response = client.get(reverse("privacy:subject-access", args=[referrer.pk, "json"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="subject-access-{referrer.pk}.json"')
    data = json.loads(response.content)
    assert data["account"]["email"] == referrer.email
    assert data["organisation_membership"]["organisation"] == "Camberwell Day Centre"
    assert [r["reference"] for r in data["referrals_made"]] == ["SR-SAR01"]
    assert any(a["action"] == "referral.viewed" for a in data["activity"])
    # Third parties in the referral are not in the export.
    assert "Third Party Person" not in response.content.decode()
    event = AuditEvent.objects.get(action="subject_access_export")
    assert (event.actor, event.object_id, event.detail) == (
        council_admin, str(referrer.pk), {"format": "json"})


def test_an_administrator_exports_pdf(client, council_admin, referrer, history, mfa_enforced,
                                      tmp_path):
    otp_login(client, council_admin)
    response = client.get(reverse("privacy:subject-access", args=[referrer.pk, "pdf"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "sar.pdf"
    path.write_bytes(response.content)
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Dana Volunteer" in text and "SR-SAR01" in text
    assert AuditEvent.objects.filter(action="subject_access_export",
                                     detail__format="pdf").exists()


def test_nobody_else_can_export(client, referrer, staff_member, history, mfa_enforced):
    manager = staff_member("oppd", role="manager")
    otp_login(client, manager)
    response = client.get(reverse("privacy:subject-access", args=[referrer.pk, "json"]))
    assert response.status_code == 403
    assert referrer.email.encode() not in response.content
    assert not AuditEvent.objects.filter(action="subject_access_export").exists()
