"""Fields a referrer must not see never reach their pages, PDFs, emails, notices or CSV; and
posting extra fields to a referrer's form changes nothing it is not meant to change.

The referral is built through the real services: submitted by its referrer, claimed by a
worker, noted, linked to another organisation's referral as a possible duplicate, decided with
detail withheld, moved to plan, and a second referral decided openly and then followed by a
phone call. Every internal field holds its own marker. Then the referrer and their
organisation's safeguarding lead open every page the URLconf has (every object parameter filled
with the referral's id), the PDF, the dashboard CSVs, and every email and notice: no marker.
The feedback they are meant to read (outcome, signposting, the team's question) does appear,
which shows the check can fail.
"""

import pprint
import re
import uuid
from contextlib import suppress
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    Organisation,
    TeamMembership,
)
from feedback.services import feedback_give_by_phone
from outbox.models import Notice
from referrals import services, steps
from referrals.models import Referral
from tests.factories.accounts import OrganisationFactory, ReferrerFactory
from tests.factories.referrals import referral_submit
from tests.factories.triage import CRITERIA_FOR
from tests.referrals.factories import ADULT_ANSWERS, complete_draft
from tests.security.urlwalk import build_path, url_patterns
from triage import transitions
from triage.services import note_add, referral_claim

# --- markers ---------------------------------------------------------------------------------

INTERNAL = {
    "internal note": "Inkwell-Note-Marker-7731",
    "decision rationale": "Rationale-Marker-5512",
    "withheld outcome text": "Withheld-Outcome-Marker-2281",
    "withheld feedback reason": "Withheld-Reason-Marker-9043",
    "enquiry findings (plan)": "Plan-Findings-Marker-3390",
    "closing reason": "Close-Reason-Marker-6614",
    "duplicate link reason": "Link-Reason-Marker-4471",
    "phone call summary": "Phone-Summary-Marker-8802",
    "worker's name": "Ottilie Staffname-Marker",
    "manager's name": "Marmaduke Mgrname-Marker",
    "other organisation's reference": "QXOTHER01",
    "other organisation's second reference": "QXOTHER02",
    "other referral's person": "Otherperson-Marker-Quill",
    "other referrer's name": "Otto Otherreferrer-Marker",
}
VISIBLE = {
    "outcome for the referrer": "Visible-Outcome-Marker-1188",
    "signposting": "Visible-Signpost-Marker-2299",
    "the team's question": "Visible-Question-Marker-3300",
}


def leaked(text: str) -> list[str]:
    """The internal fields whose marker is in this text."""
    return sorted(name for name, marker in INTERNAL.items() if marker in text)


NAMED_CONTACT = re.compile(r'<div id="named-contact">.*?</div>', re.S)


def test_the_check_finds_a_marker():
    assert leaked(f"<p>{INTERNAL['internal note']}</p>") == ["internal note"]
    assert leaked("nothing here") == []


# --- the world -------------------------------------------------------------------------------

@pytest.fixture
def lead(make_user, organisation):
    user = make_user("lead@daycentre.example.org", "Lena Lead")
    Membership.objects.create(user=user, organisation=organisation,
                              status=MembershipStatus.APPROVED,
                              role=MembershipRole.SAFEGUARDING_LEAD)
    return user


@pytest.fixture
def staff(make_user, teams):
    worker = make_user("worker@council.example.gov.uk", INTERNAL["worker's name"])
    TeamMembership.objects.create(user=worker, team=teams["oppd"], role="triage")
    manager = make_user("manager@council.example.gov.uk", INTERNAL["manager's name"])
    TeamMembership.objects.create(user=manager, team=teams["oppd"], role="manager")
    return {"worker": worker, "manager": manager}


@pytest.fixture
def others(make_user, teams):
    """Two referrals another organisation made to the same team (duplicate candidates), sent
    through the forms and referral_submit by a referrer who signed up there. Their references
    are made by the service: each becomes that field's marker."""
    org = OrganisationFactory(name="Peckham Food Bank")
    other = ReferrerFactory(organisation=org, full_name=INTERNAL["other referrer's name"])
    found = []
    for key in ("other organisation's reference", "other organisation's second reference"):
        referral = referral_submit(other, person_name=INTERNAL["other referral's person"])
        INTERNAL[key] = referral.reference
        found.append(referral)
    return found


def _submit(referrer) -> Referral:
    draft = complete_draft(referrer)
    return services.referral_submit(referral=draft, actor=referrer, submission_key=uuid.uuid4())


@pytest.fixture
def world(referrer, lead, staff, others, django_capture_on_commit_callbacks):
    """Referral A: decided with detail withheld, everything internal filled in. Referral B:
    decided openly (the visible markers), then feedback recorded as given by phone."""
    worker, manager = staff["worker"], staff["manager"]
    with django_capture_on_commit_callbacks(execute=True):
        a = _submit(referrer)
        b = _submit(referrer)
    with django_capture_on_commit_callbacks(execute=True):
        referral_claim(referral_id=a.pk, actor=worker)
        note_add(referral_id=a.pk, actor=worker, text=INTERNAL["internal note"])
        transitions.referral_link(referral_id=a.pk, actor=worker, other_id=others[0].pk,
                                  reason=INTERNAL["duplicate link reason"])
        # Another referral linked *to* this one (its linked_to points here).
        transitions.referral_link(referral_id=others[1].pk, actor=worker, other_id=a.pk,
                                  reason=INTERNAL["duplicate link reason"])
        transitions.referral_decide(
            referral_id=a.pk, actor=worker, outcome="s42_met", detail="police",
            criteria=CRITERIA_FOR["s42_met"],
            rationale=INTERNAL["decision rationale"],
            feedback=transitions.Feedback(
                outcome_text=INTERNAL["withheld outcome text"],
                reason=INTERNAL["withheld feedback reason"], withheld=True,
                withheld_reason="police_investigation"),
        )
        transitions.referral_plan(referral_id=a.pk, actor=manager,
                                  reason=INTERNAL["enquiry findings (plan)"])
    # The decision's email is sent (above, on commit) before closure: closure waits for it.
    with django_capture_on_commit_callbacks(execute=True):
        transitions.referral_close(
            referral_id=a.pk, actor=manager, reason=INTERNAL["closing reason"],
            feedback=transitions.Feedback(withheld=True, withheld_reason="risk_to_person"),
            msp_outcome="partly",
        )
    with django_capture_on_commit_callbacks(execute=True):
        referral_claim(referral_id=b.pk, actor=manager)
        note_add(referral_id=b.pk, actor=manager, text=INTERNAL["internal note"])
        transitions.referral_info_request(referral_id=b.pk, actor=manager,
                                          question=VISIBLE["the team's question"])
        transitions.referral_info_receive(referral_id=b.pk, actor=manager,
                                          information="They phoned with the answer.")
        transitions.referral_decide(
            referral_id=b.pk, actor=manager, outcome="not_safeguarding", detail="signposted",
            criteria=CRITERIA_FOR["not_safeguarding"],
            rationale=INTERNAL["decision rationale"],
            feedback=transitions.Feedback(outcome_text=VISIBLE["outcome for the referrer"],
                                          reason="The reason, for the referrer.",
                                          signposting=VISIBLE["signposting"]),
        )
    with django_capture_on_commit_callbacks(execute=True):
        feedback_give_by_phone(referral=b, actor=manager, given_at=timezone.now(),
                               summary=INTERNAL["phone call summary"])
    a.refresh_from_db()
    b.refresh_from_db()
    # The markers really are in the database (else the test would prove nothing).
    assert a.internal_notes.get().text == INTERNAL["internal note"]
    assert a.linked_to == others[0] and a.status == "closed"
    assert a.decisions.filter(rationale=INTERNAL["decision rationale"]).exists()
    assert b.feedback_records.filter(phone_summary=INTERNAL["phone call summary"]).exists()
    assert mail.outbox, "the decisions sent emails"
    return {"a": a, "b": b, "referrer": referrer, "lead": lead, "others": others}


# --- what the referrer and the lead can fetch ------------------------------------------------

SKIP_NAMESPACES = ("admin",)  # Django's admin: staff-only, refused by the access matrix
NOT_IDS = {"uidb64", "token"}


def referrer_urls(referral) -> list[str]:
    """Every URL in the URLconf with its object parameters filled with this referral."""
    def value_for(name, converter, regex_body):
        if name in NOT_IDS:
            return "x"
        if name == "key":
            return steps.STEPS[1].key
        if converter == "int" or name.endswith(("_pk", "_id", "pk")):
            return referral.pk
        return "x"

    urls = set()
    for entry in url_patterns():
        if entry.is_regex or (entry.name or "").startswith(SKIP_NAMESPACES):
            continue
        if entry.name in ("accounts:sign-out",):
            continue  # would end the session mid-walk
        path, _ = build_path(entry, value_for)
        urls.add(path)
    return sorted(urls)


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return content.decode(errors="replace") + response.get("Location", "")


def fetch_everything(client, referral) -> dict[str, str]:
    """Path -> text of everything this person can open about the referral."""
    seen = {}
    for path in referrer_urls(referral):
        seen[path] = body_text(client.get(path))
    dashboard = seen.get(reverse("dashboard:index"), "")
    for csv_path in set(re.findall(r'href="([^"]+\.csv[^"]*)"', dashboard)):
        csv_path = csv_path.replace("&amp;", "&")
        response = client.get(csv_path)
        assert response.status_code == 200, csv_path
        seen[csv_path] = body_text(response)
    return seen


@pytest.mark.parametrize("who", ["referrer", "lead"])
def test_internal_fields_never_reach_the_referrers_pages_or_pdf(client, world, who):
    client.force_login(world[who])
    problems, named = {}, set()
    for name in ("a", "b"):
        for path, text in fetch_everything(client, world[name]).items():
            # Issue 15: the worker assigned to an open referral is named on purpose, with their
            # direct contact, in this one block (feedback/_contact.html); nowhere else.
            if NAMED_CONTACT.search(text):
                named.add(path)
                text = NAMED_CONTACT.sub("", text)
            if leaked(text):
                problems[path] = leaked(text)
    assert problems == {}
    # b is open and assigned to the manager: its status and chase pages name them; a is closed.
    assert named == {reverse("feedback:status", args=[world["b"].pk]),
                     reverse("feedback:chase", args=[world["b"].pk])}
    # Those pages were really the referrer's: the PDF, the status page and its feedback.
    status_b = client.get(reverse("feedback:status", args=[world["b"].pk])).content.decode()
    for marker in VISIBLE.values():
        assert marker in status_b
    status_a = client.get(reverse("feedback:status", args=[world["a"].pk])).content.decode()
    assert "A police investigation means we cannot share details" in status_a
    pdf = client.get(reverse("referrals:pdf", args=[world["a"].pk]))
    assert pdf.status_code == 200 and world["a"].reference in body_text(pdf)


def test_the_lead_sees_the_organisations_dashboard_csv(client, world):
    """The walk above fetched the lead's CSVs: make sure there were some."""
    client.force_login(world["lead"])
    page = client.get(reverse("dashboard:index")).content.decode()
    assert re.search(r'href="[^"]+\.csv', page)


def test_internal_fields_never_reach_emails_or_notices(world):
    # The other organisation's referrer is acknowledged with their own references: those are
    # internal to our referrer, not to them.
    other = world["others"][0].referrer
    outbox = [m for m in mail.outbox if m.to != [other.email]]
    problems = [(m.to, m.subject, leaked(m.subject + m.body)) for m in outbox
                if leaked(m.subject + m.body)]
    for message in outbox:
        for alternative, _type in getattr(message, "alternatives", []):
            if leaked(alternative):
                problems.append((message.to, message.subject, leaked(alternative)))
    problems += [(n.pk, n.kind, leaked(n.subject + n.body))
                 for n in Notice.objects.exclude(recipient=other)
                 if leaked(n.subject + n.body)]
    assert problems == []
    referrer_mail = [m for m in mail.outbox if m.to == [world["referrer"].email]]
    assert any(world["a"].reference in m.subject for m in referrer_mail)


# --- posting extra fields ---------------------------------------------------------------------

class FormParser(HTMLParser):
    """Every <form method="post">: its action and the names of its fields (with the values
    of hidden inputs)."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self.forms.append({"action": attrs.get("action") or "", "names": set(),
                                   "hidden": {}})
            else:
                self.forms.append(None)
        elif tag in ("input", "textarea", "select", "button") and self.forms and self.forms[-1]:
            name = attrs.get("name")
            if name:
                self.forms[-1]["names"].add(name)
                if attrs.get("type") == "hidden":
                    self.forms[-1]["hidden"][name] = attrs.get("value") or ""


def post_forms(html: str, page: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    found = []
    for form in filter(None, parser.forms):
        form["action"] = form["action"] or page
        found.append(form)
    return found


CHANGEABLE = {"person_name", "person_address", "what_happened", "adult_wants",
              "oppd_care_provider", "referrer_job_title"}
SIGN_UP = {"full_name": "New Person", "email": "new.person@daycentre.example.org",
           "job_title": "Volunteer", "phone": "", "password1": "correct-horse-battery-staple",
           "password2": "correct-horse-battery-staple"}


def normal_data(name: str, key: str, world) -> dict:
    """What the form is meant to receive. A form not listed here fails the test, so a new
    referrer form must be given its data (and is then covered)."""
    if name == "referrals:step":
        if key == "alleged":
            return {"relationship": "unknown", "lives_with": "unknown", "cares_for": "unknown",
                    "contact_with_others_at_risk": "unknown", "name": "Alleged Person",
                    "action": "add"}
        # The draft already holds ADULT_ANSWERS: change its free text so the post changes
        # something (and the comparison covers a real write).
        data = {k: f"{v} (changed)" if k in CHANGEABLE else v
                for k, v in ADULT_ANSWERS.get(key, {}).items()}
        return {**data, **({"urgent": "no"} if key == "urgency" else {}), "action": "continue"}
    return {
        "referrals:start": {"urgent": "no"},
        "referrals:check": {},
        "feedback:add-information": {"text": "The person has moved to her sister's."},
        "feedback:chase": {},
        # Issue 15's referrer forms.
        "feedback:worse": {"what_changed": "She has been hit again."},
        "challenges:raise": {"reason": "The decision missed the financial abuse."},
        "challenges:take-further": {},
        "consultations:new": {"team": str(world["teams"]["oppd"].pk), "question": "Is it abuse?",
                              "urgency": "soon", "contact_phone": "020 7525 0000"},
        "feedback:notices": {},
        "display": {"text": "large"},
        "mfa:setup": {"token": "000000"},
        "mfa:verify": {"token": "000000"},
        "mfa:backup-codes": {},
        "accounts:sign-in": {"username": world["referrer"].email, "password": "wrong"},
        "accounts:sign-up": {**SIGN_UP, "organisation": str(world["organisation"].pk)},
        "accounts:password-reset": {"email": world["referrer"].email},
        "accounts:verify-resend": {"email": world["referrer"].email},
        "accounts:sign-out": {},
        # The session time-out warning's "stay signed in" (now on every signed-in page).
        "mfa:keep-alive": {},
        # The lists' search (POSTed: the text may be a name; feedback.listing).
        "feedback:my-referrals": {"q": "SR-", "status": ""},
        "feedback:organisation": {"q": "SR-", "status": ""},
        # Issue 15, item 8: the feedback link on every page and the rating after sending.
        "learning:give-feedback": {"rating": "4", "comment": "Clear."},
        "learning:rate": {"rating": "4", "comment": "Clear."},
    }[name]


def forged_fields(world) -> dict:
    """Names of model fields someone might hope a view passes straight to a model."""
    other_referral, other_org = world["others"][0], world["others"][0].organisation
    return {
        "status": "closed", "outcome": "s42_met", "team": world["teams"]["mash"].pk,
        "team_id": world["teams"]["mash"].pk, "assignee": world["staff"].pk,
        "assignee_id": world["staff"].pk, "urgent": "yes", "referrer": other_referral.referrer_id,
        "referrer_id": other_referral.referrer_id, "organisation": other_org.pk,
        "organisation_id": other_org.pk, "internal_note": "FORGED-NOTE",
        "internal_notes": "FORGED-NOTE", "note": "FORGED-NOTE", "is_staff": "on",
        "is_superuser": "on", "is_council_admin": "on", "is_active": "on",
        "email_verified": "on", "verified": "on", "role": MembershipRole.SAFEGUARDING_LEAD,
        "pathway": "mash", "reference": "FORGED-REF", "rag_rating": "red",
        "linked_to": other_referral.pk, "received_at": "2020-01-01", "closed_at": "2020-01-01",
        "feedback_preference": "phone_only", "person_name": "FORGED-NAME",
        "submission_key": str(uuid.uuid4()), "steps_done": "check", "answers": "{}",
        "user": world["staff"].pk, "membership": world["lead_membership"].pk, "pk": 1, "id": 1,
        "referral": other_referral.pk, "text_internal": "FORGED-NOTE",
    }


def snapshot_models():
    from django.contrib.auth import get_user_model

    from feedback.models import FeedbackRecord
    from referrals.models import AllegedPerson, Attachment, ReferralEvent
    from triage.models import Assignment, Decision, DuplicateLink, InternalNote

    return (Referral, AllegedPerson, Attachment, ReferralEvent, get_user_model(), Membership,
            Organisation, TeamMembership, FeedbackRecord, InternalNote, Decision,
            DuplicateLink, Assignment)


# Values that differ between two identical requests: compared as present or absent.
RANDOM = {"reference", "submission_key", "password", "stored_name", "last_login"}


def _row(obj) -> dict:
    out = {}
    for field in obj._meta.concrete_fields:
        if field.get_internal_type() in ("DateTimeField",) or field.primary_key:
            continue
        value = field.value_from_object(obj)
        out[field.attname] = bool(value) if field.attname in RANDOM else value
    return out


def snapshot() -> dict:
    return {model.__name__: {obj.pk: _row(obj) for obj in model.objects.all()}
            for model in snapshot_models()}


def _foreign_keys() -> dict:
    """model name -> {column: the model name it points to}."""
    return {model.__name__: {f.attname: f.related_model.__name__
                             for f in model._meta.concrete_fields if f.is_relation}
            for model in snapshot_models()}


def changes(before: dict, after: dict) -> dict:
    """Per model: changed fields of existing rows, and the new rows (without their ids, and
    with a link to another new row written as "<new>", since ids differ between runs)."""
    new_ids = {model: set(rows) - set(before[model]) for model, rows in after.items()}
    links = _foreign_keys()

    def normal(model, row):
        return {k: "<new>" if k in links[model] and v in new_ids.get(links[model][k], ())
                else v for k, v in row.items()}

    out = {}
    for model, rows in after.items():
        rows = {pk: normal(model, row) for pk, row in rows.items()}
        changed = {pk: {k: v for k, v in row.items() if before[model][pk].get(k) != v}
                   for pk, row in rows.items() if pk in before[model]
                   and row != before[model][pk]}
        removed = sorted(set(before[model]) - set(rows))
        new = sorted((repr(sorted(row.items())) for pk, row in rows.items()
                      if pk in new_ids[model]))
        if changed or new or removed:
            out[model] = {"changed": changed, "new": new, "removed": removed}
    return out


class Rollback(Exception):
    """Raised inside a test's atomic block to undo what the POST wrote."""


def post_and_diff(who, path, data) -> tuple[dict, dict, int]:
    """POST in a transaction that is rolled back; what changed, the state after, the status."""
    result = {}
    with suppress(Rollback), transaction.atomic():
        client = Client()
        if who is not None:
            client.force_login(who)
        before = snapshot()
        response = client.post(path, data)
        after = snapshot()
        result = {"changes": changes(before, after), "after": after,
                  "status": response.status_code}
        raise Rollback
    return result["changes"], result["after"], result["status"]


@pytest.fixture
def form_world(referrer, lead, organisation, staff, others, teams):
    from datetime import timedelta

    draft = complete_draft(referrer)
    # Sent a week ago and not decided: its clock is missed, so the chase page shows its form.
    sent = referral_submit(referrer, now=timezone.now() - timedelta(days=7))
    return {"referrer": referrer, "lead": lead, "organisation": organisation, "teams": teams,
            "staff": staff["worker"], "others": others, "draft": draft, "sent": sent,
            "lead_membership": lead.membership}


def discover_forms(world) -> list[tuple]:
    """(who, url name, step key, path, form) for every POST form on every page the referrer
    (and an anonymous visitor) can open: every URL in the URLconf, object parameters filled
    with the referrer's draft (referrals) or sent referral (the rest), every step key."""
    found = {}
    for who in (world["referrer"], None):
        client = Client()
        if who is not None:
            client.force_login(who)
        for entry in url_patterns():
            if entry.is_regex or (entry.name or "").startswith(SKIP_NAMESPACES):
                continue
            referral = world["draft"] if (entry.name or "").startswith("referrals:") \
                else world["sent"]
            keys = [s.key for s in steps.STEPS] if "<slug:key>" in entry.route else [""]
            for key in keys:
                def value_for(name, converter, regex_body, key=key, referral=referral):
                    if name == "key":
                        return key
                    if name in NOT_IDS:
                        return "x"
                    return referral.pk if converter == "int" else "x"

                path, _ = build_path(entry, value_for)
                response = client.get(path)
                if response.status_code != 200 or response.streaming or \
                        "html" not in response.get("Content-Type", ""):
                    continue
                for form in post_forms(response.content.decode(), path):
                    try:
                        match = resolve(form["action"].split("?")[0])
                    except Resolver404:
                        continue
                    step_key = match.kwargs.get("key", "")
                    ident = (who.pk if who else None, match.view_name, step_key)
                    found.setdefault(ident, (who, match.view_name, step_key, form["action"],
                                             form))
    return list(found.values())


STEPS_THAT_WRITE = {"person", "contact", "concern", "adult", "pathway-questions", "referrer"}


def test_extra_fields_posted_to_referrer_forms_change_nothing(form_world):
    world = form_world
    forms = discover_forms(world)
    names = {name for _, name, *_ in forms}
    # The walk found the referrer's forms (so the test is about something).
    assert {"referrals:step", "referrals:start", "referrals:check", "feedback:add-information",
            "feedback:chase", "feedback:notices", "accounts:sign-up"} <= names
    assert {key for _, name, key, *_ in forms if name == "referrals:step"} >= {
        "person", "concern", "alleged", "attachments", "referrer"}
    forged = forged_fields(world)
    problems = {}
    checked = 0
    for who, name, key, action, form in forms:
        data = {**form["hidden"], **normal_data(name, key, world)}
        extras = {k: v for k, v in forged.items() if k not in form["names"] and k not in data}
        plain, _, plain_status = post_and_diff(who, action, data)
        forged_changes, after, forged_status = post_and_diff(who, action, {**data, **extras})
        label = f"{'referrer' if who else 'anonymous'} {name} {key}".strip()
        if plain != forged_changes or plain_status != forged_status:
            problems[label] = {"without": plain, "with": forged_changes}
        text = repr(after)
        for value in ("FORGED-NOTE", "FORGED-REF", "FORGED-NAME"):
            if value in text:
                problems.setdefault(label, {})["stored"] = value
        checked += 1
        if name == "referrals:step" and key in STEPS_THAT_WRITE:
            assert "Referral" in plain, (label, plain_status)  # the normal post did write
    assert problems == {}, pprint.pformat(problems, width=100)
    assert checked == len(forms) >= 20


def test_the_extra_fields_check_can_fail(form_world):
    """A view that copied POST data onto the referral would be caught by the same diff."""
    world = form_world
    sent = world["sent"]

    def leaky_post(data):
        result = {}
        with suppress(Rollback), transaction.atomic():
            before = snapshot()
            copied = {k: v for k, v in data.items() if k in ("status", "outcome")}
            if copied:
                Referral.objects.filter(pk=sent.pk).update(**copied)  # planted: the leak
            result["changes"] = changes(before, snapshot())
            raise Rollback
        return result["changes"]

    assert leaky_post({}) != leaky_post({"status": "closed"})


def test_the_referral_sent_with_it_is_still_shown(client, referrer, django_capture_on_commit_callbacks):
    """The fix keeps the link the referrer made: an adult concern and its MASH referral."""
    with django_capture_on_commit_callbacks(execute=True):
        draft = complete_draft(referrer, linked=True)
        adult = services.referral_submit(referral=draft, actor=referrer,
                                         submission_key=uuid.uuid4())
    child = Referral.objects.get(linked_to=adult)
    client.force_login(referrer)
    page = client.get(reverse("referrals:confirmation", args=[adult.pk])).content.decode()
    assert child.reference in page
    pdf = client.get(reverse("referrals:pdf", args=[child.pk]))
    assert adult.reference in body_text(pdf)
