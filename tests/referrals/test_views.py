import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from core.vocabulary import Status
from referrals.models import Referral

from .factories import ADULT_ANSWERS

pytestmark = pytest.mark.django_db


def walk_to_check(client, answers=ADULT_ANSWERS, urgent="no"):
    response = client.get(reverse("referrals:start"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "call 999" in body and "020 7525 5000" in body  # EDT number, before any question
    response = client.post(reverse("referrals:start"), {"urgent": urgent,
                                                         "urgent_reason": "Risk today"})
    assert response.status_code == 302
    while True:
        url = response["Location"]
        if url.endswith("/check/"):
            return Referral.objects.get(pk=int(url.split("/")[2])), url
        key = url.rstrip("/").split("/")[-1]
        page = client.get(url)
        assert page.status_code == 200
        assert re.search(r"Step \d+ of \d+", page.content.decode())
        data = dict(answers.get(key, {}))
        data["action"] = "continue"
        response = client.post(url, data)
        assert response.status_code == 302, (key, response.context["form"].errors)


def test_whole_journey_by_http(client, referrer):
    client.force_login(referrer)
    referral, check_url = walk_to_check(client)
    page = client.get(check_url).content.decode()
    assert "Mary Example" in page and "Financial or material abuse" in page
    assert "?change=1" in page
    key = re.search(r'name="submission_key" value="([0-9a-f-]+)"', page).group(1)
    response = client.post(check_url, {"submission_key": key})
    assert response["Location"] == reverse("referrals:confirmation", args=[referral.pk])
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    page = client.get(response["Location"]).content.decode()
    assert referral.reference in page and "What happens next" in page
    # A refresh (same key) and a stale second tab (old key) change nothing.
    assert client.post(check_url, {"submission_key": key}).status_code == 302
    assert Referral.objects.filter(referrer=referrer).count() == 1


def test_error_keeps_what_was_typed(client, referrer):
    client.force_login(referrer)
    client.post(reverse("referrals:start"), {"urgent": "no"})
    referral = Referral.objects.get(referrer=referrer)
    url = reverse("referrals:step", args=[referral.pk, "person"])
    page = client.post(url, {"person_name": "Mary Typed", "age_known": "dob"}).content.decode()
    assert "There is a problem" in page
    assert "Enter their date of birth as a day, month and year" in page
    assert "Select their gender, or &#x27;Not known&#x27;" in page
    assert 'value="Mary Typed"' in page
    assert "<title>Error:" in page


def test_change_link_returns_to_check(client, referrer):
    client.force_login(referrer)
    referral, check_url = walk_to_check(client)
    url = reverse("referrals:step", args=[referral.pk, "needs"]) + "?change=1"
    response = client.post(url, {"main_need": "mental_health", "children_in_household": "no",
                                 "allegation_about_worker": "no"})
    assert response["Location"] == check_url


def test_pdf_contains_reference_and_is_audited(client, referrer):
    client.force_login(referrer)
    referral, check_url = walk_to_check(client)
    client.post(check_url, {"submission_key": "8a7c6d0e-0000-4000-8000-000000000001"})
    referral.refresh_from_db()
    response = client.get(reverse("referrals:pdf", args=[referral.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{referral.reference}.pdf"'
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert referral.reference in text and "Mary Example" in text
    assert AuditEvent.objects.filter(action="referral.pdf_downloaded",
                                     referral_id=referral.pk, allowed=True).count() == 1


def test_pdf_escapes_input_and_fetches_nothing(client, referrer):
    client.force_login(referrer)
    answers = {**ADULT_ANSWERS, "concern": {
        **ADULT_ANSWERS["concern"],
        "what_happened": '<img src="http://169.254.169.254/latest"> <b>bold</b>'}}
    referral, check_url = walk_to_check(client, answers)
    client.post(check_url, {"submission_key": "8a7c6d0e-0000-4000-8000-000000000002"})
    response = client.get(reverse("referrals:pdf", args=[referral.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert '<img src="http://169.254.169.254/latest">' in text  # shown as text, not fetched


def test_fetcher_refuses_anything_but_static():
    from referrals.pdf import StaticOnlyFetcher

    fetcher = StaticOnlyFetcher()
    for url in ("http://169.254.169.254/", "file:///etc/passwd", "static:../../etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("static:portal/portal.css").read()


def test_others_cannot_open_pdf_attachment_or_draft(client, referrer, make_user, staff_member):
    client.force_login(referrer)
    referral, _ = walk_to_check(client)
    attach_url = reverse("referrals:step", args=[referral.pk, "attachments"])
    client.post(attach_url, {"action": "upload",
                             "file": SimpleUploadedFile("map.pdf", b"%PDF-1.4\n%%EOF\n")})
    attachment = referral.attachments.get()
    download = reverse("referrals:attachment", args=[referral.pk, attachment.pk])
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    client.force_login(make_user("other@example.org"))
    for url in (download, reverse("referrals:pdf", args=[referral.pk]),
                reverse("referrals:step", args=[referral.pk, "person"]),
                reverse("referrals:resume", args=[referral.pk])):
        assert client.get(url).status_code == 404, url
    assert AuditEvent.objects.filter(action="referral.attachment_downloaded",
                                     allowed=False).count() == 1
    # Staff cannot start a referral.
    client.force_login(staff_member("oppd"))
    assert client.get(reverse("referrals:start")).status_code == 403


def test_rejected_upload_keeps_description(client, referrer):
    client.force_login(referrer)
    referral, _ = walk_to_check(client)
    url = reverse("referrals:step", args=[referral.pk, "attachments"])
    page = client.post(url, {
        "action": "upload", "description": "Photo of the kitchen",
        "file": SimpleUploadedFile("photo.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    }).content.decode()
    assert "There is a problem" in page and "must be a PDF" in page
    assert 'value="Photo of the kitchen"' in page
    assert not referral.attachments.exists()


def test_child_journey_by_http(client, referrer):
    from .factories import CHILD_ANSWERS

    client.force_login(referrer)
    answers = {**CHILD_ANSWERS, "alleged": {"relationship": "unknown", "lives_with": "unknown",
                                            "cares_for": "no",
                                            "contact_with_others_at_risk": "unknown"}}
    referral, check_url = walk_to_check(client, answers)
    page = client.get(check_url).content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f-]+)"', page).group(1)
    response = client.post(check_url, {"submission_key": key})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.pathway == "mash" and referral.alleged_persons.count() == 1
    assert client.get(response["Location"]).status_code == 200
