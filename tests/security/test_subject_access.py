"""Subject access export (JSON and PDF) for one person, only by administrators, audited."""

import json
import re
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from audit.services import audit_record
from core.vocabulary import AuditAction, MspOutcome, Outcome
from privacy.people import REDACTED, _name_regex, name_normal
from referrals.models import AllegedPerson, DutyState
from referrals.services.duties import referral_duty_record
from tests.conftest import otp_login
from tests.factories import triage
from tests.factories.accounts import staff
from tests.factories.feedback import send_pending
from tests.factories.referrals import referral_submit, referral_with, risk_answers
from tests.triage.factories import referral_make
from triage.models import InternalNote


@pytest.fixture
def history(referrer, organisation, teams):
    referral = referral_with(referrer, person_name="Third Party Person")
    audit_record(action=AuditAction.REFERRAL_VIEWED, actor=referrer, referral=referral)
    return referral


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
    assert [r["reference"] for r in data["referrals_made"]] == [history.reference]
    assert any(a["action"] == "referral.viewed" for a in data["activity"])
    # Third parties in the referral are not in the export.
    assert "Third Party Person" not in response.content.decode()
    event = AuditEvent.objects.get(action="privacy.subject_access_exported")
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
    assert "Dana Volunteer" in text and history.reference in text
    assert AuditEvent.objects.filter(action="privacy.subject_access_exported",
                                     detail__format="pdf").exists()


def test_nobody_else_can_export(client, referrer, staff_member, history, mfa_enforced):
    manager = staff_member("oppd", role="manager")
    otp_login(client, manager)
    response = client.get(reverse("privacy:subject-access", args=[referrer.pk, "json"]))
    assert response.status_code == 403
    assert referrer.email.encode() not in response.content
    assert not AuditEvent.objects.filter(action="privacy.subject_access_exported", allowed=True).exists()
    refused = AuditEvent.objects.get(action="privacy.subject_access_exported", allowed=False)
    assert refused.actor == manager and refused.detail == {"scope": "account",
                                                           "user_id": referrer.pk}


# --- a person named in referrals (no account) -------------------------------------------------

SUBJECT = "Mary Example"
DOB = date(1941, 4, 3)
ALLEGED = "Harold Alleged-Marker"
OTHER_VICTIM = "Thea Victim-Marker"
SEARCH = {"name": "  mary   EXAMPLE ", "dob": "03/04/1941"}


@pytest.fixture
def named(referrer, teams):
    """Referrals naming Mary Example: as the person at risk (twice, spelt differently), once
    with no date of birth, once with another date of birth (not her), and once as a person
    alleged to have caused harm in someone else's referral."""
    subject = referral_make(referrer=referrer, person_name=SUBJECT, person_dob=DOB,
                            person_postcode="SE5 8UH")
    subject.answers["referrer_name"] = "Dana Volunteer"
    subject.save(update_fields=["answers"])
    AllegedPerson.objects.create(referral=subject, name=ALLEGED, relationship="partner",
                                 lives_with="yes", cares_for="no",
                                 contact_with_others_at_risk="no")
    InternalNote.objects.create(referral=subject, text="Team note about Mary.")
    spelt = referral_make(referrer=referrer, person_name="MARY  example", person_dob=DOB)
    no_dob = referral_make(referrer=referrer, person_name="Mary Example", person_dob=None,
                           person_age_approx=80)
    not_her = referral_make(referrer=referrer, person_name=SUBJECT, person_dob=date(1950, 1, 1))
    as_alleged = referral_make(referrer=referrer, person_name=OTHER_VICTIM,
                               person_dob=date(1938, 2, 2))
    AllegedPerson.objects.create(referral=as_alleged, name="mary example",
                                 relationship="unpaid_carer", lives_with="yes",
                                 cares_for="yes", contact_with_others_at_risk="unknown",
                                 others_at_risk_details="Her grandson Ollie Thirdparty-Marker")
    return {"subject": subject, "spelt": spelt, "no_dob": no_dob, "not_her": not_her,
            "as_alleged": as_alleged}


def _personal_in_audit() -> list:
    """Audit rows whose free text holds the name or date of birth searched for."""
    found = []
    for event in AuditEvent.objects.all():
        text = (json.dumps(event.detail) + event.path).lower()
        if "mary" in text or "1941" in text or "example" in text:
            found.append((event.action, event.detail, event.path))
    return found


def test_the_privacy_office_searches_by_name_and_date_of_birth(client, council_admin, named,
                                                                mfa_enforced):
    otp_login(client, council_admin)
    url = reverse("privacy:person-search")
    assert "mary" not in url.lower()
    page = client.get(url)
    assert page.status_code == 200 and 'method="post"' in page.content.decode()
    # A name in the query string is not a search: the form is POST only.
    assert client.get(url, {"name": SUBJECT, "dob": "03/04/1941"}).context["matches"] is None
    assert not AuditEvent.objects.filter(action="privacy.subject_access_searched").exists()

    response = client.post(url, SEARCH)
    assert response.status_code == 200
    matches = response.context["matches"]
    assert {r.pk for r in matches.as_subject} == {named["subject"].pk, named["spelt"].pk}
    assert [r.pk for r in matches.possible_subject] == [named["no_dob"].pk]
    assert [r.pk for _, r in matches.as_alleged] == [named["as_alleged"].pk]
    body = response.content.decode()
    assert named["subject"].reference in body and named["not_her"].reference not in body

    # Audited: one row per referral found (its audit shows the look-up) and the search itself.
    per_referral = set(AuditEvent.objects.filter(action="privacy.subject_access_searched",
                                                 referral_id__isnull=False)
                       .values_list("referral_id", flat=True))
    assert per_referral == {named[k].pk for k in ("subject", "spelt", "no_dob", "as_alleged")}
    search = AuditEvent.objects.get(action="privacy.subject_access_searched", referral_id__isnull=True)
    assert search.actor == council_admin and search.allowed
    assert search.detail == {"scope": "named_person", "matches": 4,
                             "referral_ids": sorted(per_referral)}
    assert _personal_in_audit() == []


def test_a_date_of_birth_must_match_exactly(client, council_admin, named, mfa_enforced):
    otp_login(client, council_admin)
    response = client.post(reverse("privacy:person-search"),
                           {"name": SUBJECT, "dob": "04/04/1941"})
    matches = response.context["matches"]
    assert matches.as_subject == [] and len(matches.as_alleged) == 1  # alleged: name only
    # Pattern characters in a name are only characters (escaped for the database's regex).
    odd = client.post(reverse("privacy:person-search"), {"name": "Mary.*[(", "dob": "03/04/1941"})
    assert odd.status_code == 200 and len(odd.context["matches"]) == 0
    bad = client.post(reverse("privacy:person-search"), {"name": " ", "dob": "31/02/1941"})
    errors = bad.context["form"].errors
    assert errors["name"] == ["Enter the person's full name"]
    assert errors["dob"] == ["Enter the date of birth as day/month/year, like 27/03/1947"]


def _export(client, fmt, **extra):
    return client.post(reverse("privacy:person-export"), {**SEARCH, "fmt": fmt, **extra})


def test_the_json_export_redacts_third_parties(client, council_admin, named, mfa_enforced):
    otp_login(client, council_admin)
    response = _export(client, "json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="subject-access-person-')
    assert "mary" not in disposition.lower()
    data = json.loads(response.content)
    text = response.content.decode()
    assert data["scope"] == "named_person" and data["person"]["name"] == "mary EXAMPLE"
    by_ref = {e["reference"]: e for e in data["as_person_at_risk"]}
    assert set(by_ref) == {named["subject"].reference, named["spelt"].reference}
    mine = by_ref[named["subject"].reference]
    assert mine["about_you"]["date_of_birth"] == "1941-04-03"
    assert mine["about_you"]["postcode"] == "SE5 8UH"
    assert mine["internal_notes"] == [{"at": mine["internal_notes"][0]["at"],
                                       "text": "Team note about Mary.", "review": True}]
    assert mine["answers"]["review"] is True
    # Third parties: the alleged person, the referrer, the person at risk of the referral
    # where she is the alleged person, and the people named there.
    assert mine["people_alleged_to_have_caused_harm"][0]["name"] == REDACTED
    assert mine["referrer"]["name"] == REDACTED
    assert mine["answers"]["values"]["referrer_name"] == REDACTED
    for third_party in (ALLEGED, "Dana Volunteer", OTHER_VICTIM, "Ollie Thirdparty-Marker",
                        "Camberwell Day Centre"):
        assert third_party not in text
    [alleged] = data["as_alleged_person"]
    assert alleged["reference"] == named["as_alleged"].reference
    assert alleged["about_you"]["relationship"] == "Unpaid carer or family member"
    assert alleged["person_at_risk"]["name"] == REDACTED
    assert alleged["concern"]["account"] == REDACTED
    assert [p["reference"] for p in data["possibly_as_person_at_risk"]] == [
        named["no_dob"].reference]
    withheld = {(r["referral"], r["withheld"]) for r in data["redactions"]}
    assert (named["subject"].reference, "alleged person's name") in withheld
    assert (named["subject"].reference, "referrer's name") in withheld
    assert (named["as_alleged"].reference, "person at risk's name") in withheld
    assert data["referrer_identity"] == "withheld (third party)"

    rows = AuditEvent.objects.filter(action="privacy.subject_access_exported")
    summary = rows.get(referral_id__isnull=True)
    assert summary.actor == council_admin and summary.detail["format"] == "json"
    assert summary.detail["scope"] == "named_person"
    assert summary.detail["redactions"] == len(data["redactions"])
    assert set(rows.exclude(referral_id=None).values_list("referral_id", flat=True)) == {
        named[k].pk for k in ("subject", "spelt", "no_dob", "as_alleged")}
    assert _personal_in_audit() == []


def test_the_staff_record_of_parallel_duties_is_in_the_export(client, council_admin, referrer,
                                                               mfa_enforced):
    """Issue 16, part 4: duty notes are staff notes: in the export, marked for review, without
    the name of who recorded them."""
    referral = referral_submit(referrer, overrides={
        "concern": {"categories": ["domestic"]}, "risk-checklist": risk_answers(16)})
    worker = staff("oppd")
    referral_duty_record(referral=referral, duty_id=referral.duties.get().pk, actor=worker,
                         state=DutyState.DONE, note="Referred to MARAC by the IDVA service")
    otp_login(client, council_admin)
    response = _export(client, "json")
    data = json.loads(response.content)
    [mine] = [e for e in data["as_person_at_risk"] if e["reference"] == referral.reference]
    [duty] = mine["parallel_duties"]
    assert duty["duty"] == "MARAC referral (high-risk domestic abuse)"
    assert (duty["state"], duty["note"], duty["review"]) == (
        "Done", "Referred to MARAC by the IDVA service", True)
    assert duty["why"].startswith("risk checklist: 16") and duty["recorded_at"]
    assert worker.full_name not in response.content.decode()
    pdf = _export(client, "pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_council_may_disclose_the_referrer(client, council_admin, named, mfa_enforced,
                                               settings):
    settings.SUBJECT_ACCESS_DISCLOSE_REFERRER = True
    otp_login(client, council_admin)
    data = json.loads(_export(client, "json").content)
    assert data["as_person_at_risk"][0]["referrer"]["name"] == "Dana Volunteer"
    assert data["referrer_identity"] == "disclosed"
    assert ALLEGED not in json.dumps(data)  # other third parties stay redacted


def test_the_pdf_export_parses(client, council_admin, named, mfa_enforced, tmp_path):
    otp_login(client, council_admin)
    response = _export(client, "pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "person.pdf"
    path.write_bytes(response.content)
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    assert named["subject"].reference in text and named["as_alleged"].reference in text
    assert "REDACTED" in text and "for review" in text
    assert ALLEGED not in text and "Dana Volunteer" not in text and OTHER_VICTIM not in text
    assert AuditEvent.objects.filter(action="privacy.subject_access_exported", detail__format="pdf",
                                     detail__scope="named_person").exists()


@pytest.mark.parametrize("role", ["referrer", "lead", "manager", "staff_flag"])
def test_only_the_privacy_office_may_search_or_export(client, named, role, referrer,
                                                      organisation, make_user, staff_member,
                                                      mfa_enforced):
    from accounts.models import Membership, MembershipRole, MembershipStatus

    if role == "referrer":
        person = referrer
    elif role == "lead":
        person = make_user("lead@daycentre.example.org", "Lena Lead")
        Membership.objects.create(user=person, organisation=organisation,
                                  status=MembershipStatus.APPROVED,
                                  role=MembershipRole.SAFEGUARDING_LEAD)
    elif role == "manager":
        person = staff_member("oppd", role="manager")
    else:  # Django's is_staff alone is not the privacy office
        person = make_user("it@council.example.gov.uk", "Ian Tech", is_staff=True)
    otp_login(client, person)
    search = reverse("privacy:person-search")
    assert client.get(search).status_code == 403
    response = client.post(search, SEARCH)
    assert response.status_code == 403 and named["subject"].reference not in \
        response.content.decode()
    assert _export(client, "json").status_code == 403
    assert client.get(reverse("privacy:person-export")).status_code == 405
    assert not AuditEvent.objects.filter(action__startswith="subject_access",
                                         allowed=True).exists()
    refused = AuditEvent.objects.filter(actor=person, allowed=False)
    assert list(refused.values_list("action", flat=True).order_by("id")) == [
        "privacy.subject_access_searched", "privacy.subject_access_searched", "privacy.subject_access_exported"]
    assert _personal_in_audit() == []


def test_name_matching_ignores_case_and_spacing_only():
    assert name_normal("  mary \t EXAMPLE ") == "mary example"
    pattern = _name_regex("Mary.* (Example")
    assert re.fullmatch(pattern, "mary.* (example", re.IGNORECASE)
    assert not re.fullmatch(pattern, "maryXX (example", re.IGNORECASE)


def test_the_person_at_risk_sees_whether_their_desired_outcomes_were_achieved(
        client, council_admin, named, mfa_enforced):
    """Making Safeguarding Personal (issue 15 item 7): the answer recorded at closure is about
    the person's own wishes, so their export holds it; blank while the referral is open."""
    triage.decide(named["subject"], Outcome.CONCERN_NOT_MET)
    send_pending()
    triage.close(named["subject"], msp_outcome=MspOutcome.PARTLY)
    otp_login(client, council_admin)
    data = json.loads(_export(client, "json").content)
    by_ref = {e["reference"]: e for e in data["as_person_at_risk"]}
    assert by_ref[named["subject"].reference]["desired_outcomes_achieved"] == {
        "answer": "partly", "in_words": "Partly achieved"}
    assert by_ref[named["spelt"].reference]["desired_outcomes_achieved"] == {
        "answer": "", "in_words": ""}


def test_a_decision_in_the_export_says_what_it_was_made_on(client, council_admin, named,
                                                         mfa_enforced):
    """An adult's concern decision carries its three section 42 criteria, one by one (issue 15
    item 6): the person may see on what the council decided. Decisions with none (the closure)
    carry no such key."""
    triage.decide(named["subject"], Outcome.CONCERN_NOT_MET)
    send_pending()
    triage.close(named["subject"])
    otp_login(client, council_admin)
    data = json.loads(_export(client, "json").content)
    decisions = {d["action"]: d for d in {e["reference"]: e for e in data["as_person_at_risk"]}[
        named["subject"].reference]["decisions"]}
    assert decisions["decide"]["section_42_criteria"] == {
        "Has needs for care and support": "Met",
        "Is experiencing, or is at risk of, abuse or neglect": "Met",
        "Because of those needs, is unable to protect themselves from the abuse or neglect":
            "Not met",
    }
    assert "level_of_need" not in decisions["decide"]
    assert "section_42_criteria" not in decisions["close"]
