"""Issue 16, part 3: the family's other children and the adults in the household, collected
one person at a time (add, change, remove), shown on check your answers, the staff page, the
PDF and the API document, and to nobody else."""

import io
import re
import uuid

import pytest
from django.test import RequestFactory
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Membership, MembershipStatus
from api.selectors import document
from audit.models import AuditEvent
from referrals import services, steps
from referrals.forms import HouseholdMemberForm
from referrals.models import HouseholdMember, Referral
from tests.factories.referrals import (
    ADULT_ANSWERS,
    CHILD_ANSWERS,
    complete_draft,
    household_add,
)

pytestmark = pytest.mark.django_db

SISTER = {"name": "Ella Child", "relationship": "sibling", "child_or_adult": "child",
          "age": "6", "lives_there": "yes"}
STEPFATHER = {"name": "Rob Adult", "relationship": "parent_partner", "child_or_adult": "adult",
              "age": "", "date_of_birth_0": "2", "date_of_birth_1": "5",
              "date_of_birth_2": "1988", "lives_there": "yes",
              "concern": "Drinks heavily at weekends"}
GRANDMOTHER = {"name": "Nan Adult", "relationship": "grandparent", "child_or_adult": "adult",
               "lives_there": "no"}


def form(data, referral=None):
    return HouseholdMemberForm(data, referral=referral or Referral())


# --- when it is asked ------------------------------------------------------------------------

@pytest.mark.parametrize(("pathway", "children", "applies"), [
    ("mash", "no", True), ("lado", "unknown", True), ("mash", "", True),
    ("oppd", "yes", True), ("oppd", "no", False), ("mental_health", "unknown", False),
    ("", "yes", True), ("", "no", False),
])
def test_the_household_page_applies_to_children_or_where_children_live(pathway, children,
                                                                       applies):
    referral = Referral(pathway=pathway, children_in_household=children)
    assert steps.BY_KEY["household"].applies(referral) is applies


# --- the form's rules ------------------------------------------------------------------------

def test_a_person_needs_a_relationship_whether_child_or_adult_and_where_they_live():
    bound = form({})
    assert not bound.is_valid()
    assert bound.errors["relationship"] == [
        "Select their relationship to the person you are referring"]
    assert bound.errors["child_or_adult"] == ["Select whether they are a child or an adult"]
    assert bound.errors["lives_there"] == ["Select whether they live in the household"]
    assert "name" not in bound.errors and "age" not in bound.errors


@pytest.mark.parametrize(("kind", "age", "error"), [
    ("child", "18", "They are 18 or over: select an adult, or correct their age"),
    ("adult", "17", "They are under 18: select a child, or correct their age"),
])
def test_age_and_child_or_adult_must_agree(kind, age, error):
    bound = form({**SISTER, "child_or_adult": kind, "age": age})
    assert not bound.is_valid()
    assert bound.errors["child_or_adult"] == [error]


def test_a_date_of_birth_must_be_past_and_match_the_age():
    bound = form({**SISTER, "date_of_birth_0": "1", "date_of_birth_1": "1",
                  "date_of_birth_2": "2099"})
    assert bound.errors["date_of_birth"] == ["Their date of birth must be in the past"]
    bound = form({**SISTER, "age": "6", "date_of_birth_0": "1", "date_of_birth_1": "1",
                  "date_of_birth_2": "2000"})
    assert bound.errors["age"] == ["Their age does not match their date of birth: correct one, "
                                   "or leave the age blank"]
    # A date of birth alone decides child or adult: 1988 is an adult.
    bound = form({**SISTER, "age": "", "date_of_birth_0": "2", "date_of_birth_1": "5",
                  "date_of_birth_2": "1988"})
    assert bound.errors["child_or_adult"] == [
        "Their date of birth makes them 18 or over: select an adult, or correct their date of "
        "birth"]


def _born(years_ago: int, days: int = 0) -> dict:
    from datetime import timedelta  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years_ago)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years_ago, day=28)
    day += timedelta(days=days)
    return {"date_of_birth_0": str(day.day), "date_of_birth_1": str(day.month),
            "date_of_birth_2": str(day.year)}


@pytest.mark.parametrize(("kind", "age", "born", "field", "error"), [
    # 18 today by their date of birth: not a child, though an age a year out is accepted.
    ("child", "17", _born(18), "child_or_adult",
     "Their date of birth makes them 18 or over: select an adult, or correct their date of "
     "birth"),
    ("adult", "18", _born(18, days=1), "child_or_adult",
     "Their date of birth makes them under 18: select a child, or correct their date of "
     "birth"),
    # By their date of birth 17, but typed as 18: the typed age must agree too.
    ("child", "18", _born(17), "child_or_adult",
     "They are 18 or over: select an adult, or correct their age"),
    # "27 3 15" is the year 15, not 2015.
    ("adult", "", {"date_of_birth_0": "27", "date_of_birth_1": "3", "date_of_birth_2": "15"},
     "date_of_birth", "Their date of birth must be within the last 120 years"),
])
def test_child_or_adult_agrees_with_every_age_known(kind, age, born, field, error):
    bound = form({**SISTER, "child_or_adult": kind, "age": age, **born})
    assert not bound.is_valid()
    assert bound.errors[field] == [error]
    assert form({**SISTER, "child_or_adult": "child", "age": "17", **_born(17)}).is_valid()
    assert form({**SISTER, "child_or_adult": "adult", "age": "", **_born(120)}).is_valid()


def test_the_concern_is_kept_for_adults_only():
    bound = form({**SISTER, "concern": "Typed before switching to child"})
    assert bound.is_valid(), bound.errors
    assert bound.values()["concern"] == ""
    bound = form(STEPFATHER)
    assert bound.is_valid(), bound.errors
    assert bound.values()["concern"] == "Drinks heavily at weekends"


def test_a_blank_form_is_blank_and_a_half_typed_date_is_not():
    assert form({"action": "continue"}).is_blank()
    assert not form({"date_of_birth_2": "2015"}).is_blank()


# --- the page: add, change, remove ------------------------------------------------------------

def _child_draft(referrer):
    return complete_draft(referrer, child=True)


def test_add_two_change_one_remove_one_by_http(client, referrer):
    draft = _child_draft(referrer)
    client.force_login(referrer)
    url = reverse("referrals:step", args=[draft.pk, "household"])
    page = client.get(url).content.decode()
    assert "The family&#x27;s other children and the adults in the household" in page
    assert client.post(url, {**SISTER, "action": "add"})["Location"] == url
    assert client.post(url, {**STEPFATHER, "action": "add"})["Location"] == url
    sister, stepfather = draft.household_members.all()
    page = client.get(url).content.decode()
    assert "Ella Child" in page and "Rob Adult" in page and "Add another person" in page
    assert f"?member={sister.pk}" in page

    # Change: the form opens with what was saved, an error keeps what was typed.
    change_url = f"{url}?member={sister.pk}"
    page = client.get(change_url).content.decode()
    assert 'value="Ella Child"' in page and "Save changes" in page
    assert f'<a href="{url}" class="govuk-back-link">Back</a>' in page
    response = client.post(change_url, {**SISTER, "age": "19", "action": "save"})
    assert response.status_code == 200
    assert 'value="19"' in response.content.decode()
    response = client.post(change_url, {**SISTER, "name": "Ella Smith", "age": "7",
                                        "action": "save"})
    assert response["Location"] == url
    sister.refresh_from_db()
    assert (sister.name, sister.age) == ("Ella Smith", 7)

    # Remove the stepfather; then continue with a blank form adds nobody.
    assert client.post(url, {"action": "remove", "member": stepfather.pk})["Location"] == url
    assert list(draft.household_members.values_list("name", flat=True)) == ["Ella Smith"]
    response = client.post(url, {"action": "continue"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.household_members.count() == 1 and "household" in draft.steps_done

    actions = list(AuditEvent.objects.filter(referral_id=draft.pk,
                                             action__startswith="referral.household")
                   .values_list("action", flat=True))
    assert sorted(actions) == sorted(["referral.household_member_added"] * 2 + [
        "referral.household_member_changed", "referral.household_member_removed"])


def test_the_change_page_lists_everyone_and_marks_the_person_being_changed(client, referrer):
    """Changing one person, the list still shows them (marked, without their own Change and
    Remove) among the others, numbered as on the list page."""
    draft = _child_draft(referrer)
    household_add(draft, referrer, [SISTER, STEPFATHER, GRANDMOTHER])
    sister, stepfather, grandmother = draft.household_members.all()
    client.force_login(referrer)
    url = reverse("referrals:step", args=[draft.pk, "household"])
    page = client.get(f"{url}?member={stepfather.pk}").content.decode()
    rows = re.findall(r'<div class="govuk-summary-list__row"[^>]*>.*?</div>', page, re.S)
    assert [re.search(r'__key">([^<]*)<', row).group(1) for row in rows] == [
        "Ella Child", "Rob Adult", "Nan Adult"]
    changing = rows[1]
    assert 'aria-current="true"' in changing and "You are changing this person" in changing
    assert "Drinks heavily at weekends" in changing
    assert f"?member={stepfather.pk}" not in changing and 'value="remove"' not in changing
    assert page.count("You are changing this person") == 1
    assert "Change<span class=\"govuk-visually-hidden\"> person 3, Nan Adult" in page
    assert f"?member={grandmother.pk}" in rows[2] and f"?member={sister.pk}" in rows[0]
    assert "Change Rob Adult" in page and 'value="Rob Adult"' in page
    # The list page itself marks nobody.
    assert "You are changing this person" not in client.get(url).content.decode()


def test_check_answers_shows_the_household_with_a_change_link(client, referrer):
    draft = _child_draft(referrer)
    household_add(draft, referrer, [SISTER, STEPFATHER])
    client.force_login(referrer)
    page = client.get(reverse("referrals:check", args=[draft.pk])).content.decode()
    assert "Other children and adults in the household" in page
    assert "Ella Child: Brother or sister (including half and step); a child (under 18); " \
           "aged 6; lives in the household: yes" in page
    assert "born 2 May 1988" in page and "Concern: Drinks heavily at weekends" in page
    assert reverse("referrals:step", args=[draft.pk, "household"]) + "?change=1" in page


def test_nobody_added_reads_none_named_and_keeps_the_older_yes_no_answer(client, referrer):
    draft = complete_draft(referrer, linked=True)  # an adult's referral, children live there
    assert draft.children_in_household == "yes"
    client.force_login(referrer)
    page = client.get(reverse("referrals:check", args=[draft.pk])).content.decode()
    assert "Do any children live in the same household?" in page
    assert "None named" in page


def test_an_adult_referral_without_children_is_not_asked(client, referrer):
    draft = complete_draft(referrer)
    client.force_login(referrer)
    response = client.get(reverse("referrals:step", args=[draft.pk, "household"]))
    assert response["Location"] == reverse("referrals:resume", args=[draft.pk])
    page = client.get(reverse("referrals:check", args=[draft.pk])).content.decode()
    assert "Other children and adults in the household" not in page


# --- nobody else ------------------------------------------------------------------------------

def test_another_referrer_cannot_see_change_or_remove_them(client, referrer, make_user,
                                                           organisation):
    draft = _child_draft(referrer)
    household_add(draft, referrer, [SISTER])
    sister = draft.household_members.get()
    colleague = make_user("colleague@daycentre.example.org", "Colleague")
    Membership.objects.create(user=colleague, organisation=organisation,
                              status=MembershipStatus.APPROVED)
    client.force_login(colleague)
    url = reverse("referrals:step", args=[draft.pk, "household"])
    assert client.get(url).status_code == 404
    assert client.get(f"{url}?member={sister.pk}").status_code == 404
    assert client.post(url, {"action": "remove", "member": sister.pk}).status_code == 404
    assert client.get(reverse("referrals:check", args=[draft.pk])).status_code == 404

    # Their own draft naming another referral's person changes and removes nothing.
    own = _child_draft(colleague)
    own_url = reverse("referrals:step", args=[own.pk, "household"])
    assert client.get(f"{own_url}?member={sister.pk}").status_code == 404
    assert client.post(f"{own_url}?member={sister.pk}",
                       {**SISTER, "name": "Changed", "action": "save"}).status_code == 404
    client.post(own_url, {"action": "remove", "member": sister.pk})
    sister.refresh_from_db()
    assert sister.name == "Ella Child"
    # A crafted id is a clear 400 or 404, never a 500.
    assert client.post(own_url, {"action": "remove", "member": "1e9"}).status_code == 400
    assert client.get(f"{own_url}?member=99999999999999999999").status_code == 404

    # Submitted: the PDF is not theirs either.
    referral = services.referral_submit(referral=draft, actor=referrer,
                                        submission_key=uuid.uuid4())
    assert client.get(reverse("referrals:pdf", args=[referral.pk])).status_code == 404


def test_staff_page_pdf_and_api_document_show_them(client, referrer, staff_member):
    draft = _child_draft(referrer)
    household_add(draft, referrer, [SISTER, STEPFATHER])
    referral = services.referral_submit(referral=draft, actor=referrer,
                                        submission_key=uuid.uuid4())
    client.force_login(referrer)
    response = client.get(reverse("referrals:pdf", args=[referral.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Ella Child" in text and "Drinks heavily at weekends" in text

    client.force_login(staff_member("mash"))
    page = client.get(reverse("triage:referral", args=[referral.pk])).content.decode()
    assert "Other children and adults in the household" in page
    assert "Rob Adult" in page and "Drinks heavily at weekends" in page

    members = document(referral, RequestFactory().get("/"))["household_members"]
    assert [(m["name"], m["relationship"], m["child_or_adult"], m["age"],
             str(m["date_of_birth"]), m["lives_there"], m["concern"]) for m in members] == [
        ("Ella Child", "sibling", "child", 6, "None", "yes", ""),
        ("Rob Adult", "parent_partner", "adult", None, "1988-05-02", "yes",
         "Drinks heavily at weekends")]


def test_a_linked_mash_referral_carries_the_household(referrer):
    draft = complete_draft(referrer, linked=True)
    household_add(draft, referrer, [SISTER, STEPFATHER])
    adult = services.referral_submit(referral=draft, actor=referrer,
                                     submission_key=uuid.uuid4())
    child = adult.linked_referrals.get()
    assert list(child.household_members.values_list("name", "concern")) == [
        ("Ella Child", ""), ("Rob Adult", "Drinks heavily at weekends")]
    assert HouseholdMember.objects.filter(referral=adult).count() == 2


def test_answers_from_the_factories_still_reach_submission():
    assert "household" not in ADULT_ANSWERS and "household" not in CHILD_ANSWERS


def test_the_subject_access_export_marks_household_names_and_concerns_for_redaction(referrer):
    from privacy.people import Redactions, _as_subject  # noqa: PLC0415

    draft = _child_draft(referrer)
    household_add(draft, referrer, [SISTER, STEPFATHER])
    referral = services.referral_submit(referral=draft, actor=referrer,
                                        submission_key=uuid.uuid4())
    redactions = Redactions()
    data = _as_subject(referral, redactions, possible=False)
    people = data["other_children_and_adults_in_the_household"]
    assert [p["relationship"] for p in people] == ["sibling", "parent_partner"]
    assert "Ella Child" not in str(people) and "Drinks heavily" not in str(people)
    withheld = [item["withheld"] for item in redactions.items]
    assert withheld.count("household member's name") == 2
    assert withheld.count("household member's concern") == 1
