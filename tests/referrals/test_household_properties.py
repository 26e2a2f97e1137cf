"""Property-based tests (hypothesis) of the household's age rules (issue 16, part 3).

The rules live in the step's form (referrals.forms.HouseholdMemberForm); the service
(referrals.services.household) writes what the form accepted, as for every step. The promises:

- whatever is typed, a person the page accepts is consistent: a child is under 18 and an adult
  18 or over by every age known of them (the age typed and the age their date of birth gives),
  each age is 0 to 120, a date of birth is not in the future, and age and date of birth agree
  within a year;
- a consistent person is never refused (the rules refuse nothing else);
- anything refused is refused with a specific message on the question at fault, and the page
  then stores nothing and records nothing (adding or changing);
- what the service stored reads back as it was accepted: opened again on the change page and
  saved unchanged, the form accepts it and nothing changes.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from pathways.routing import age_on
from referrals.forms import HouseholdMemberForm
from referrals.models import Referral
from tests.factories.referrals import complete_draft

pytestmark = pytest.mark.django_db

examples = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
pages = settings(max_examples=60, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])

TODAY = timezone.localdate()
FIELDS = ("name", "relationship", "child_or_adult", "age", "date_of_birth", "lives_there",
          "concern")
# Every message the household form may give; Django's generic ones are never among them.
MESSAGES = {
    "relationship": {"Select their relationship to the person you are referring"},
    "child_or_adult": {"Select whether they are a child or an adult",
                       "They are 18 or over: select an adult, or correct their age",
                       "They are under 18: select a child, or correct their age",
                       "Their date of birth makes them 18 or over: select an adult, or "
                       "correct their date of birth",
                       "Their date of birth makes them under 18: select a child, or correct "
                       "their date of birth"},
    "lives_there": {"Select whether they live in the household"},
    "age": {"Their age must be a number, like 7", "Their age must be 0 or more",
            "Their age must be 120 or less",
            "Their age does not match their date of birth: correct one, or leave the age "
            "blank"},
    "date_of_birth": {"Their date of birth must be in the past",
                      "Their date of birth must be a real date",
                      "Their date of birth must include a day",
                      "Their date of birth must include a month",
                      "Their date of birth must include a year",
                      "Their date of birth must be within the last 120 years"},
    "name": {"Their name (optional) must be 200 characters or fewer",
             "Their name must be 200 characters or fewer"},
    "concern": set(),
}


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# A date of birth: mostly plausible, sometimes future, sometimes more than 120 years ago, and
# sometimes typed as two-number years ("27 3 15").
# (A strategy listed twice is drawn twice as often: most of what is typed is well formed, so
# that both what is accepted and what is refused are tried many times.)
plausible_births = st.dates(min_value=years_before(TODAY, 125), max_value=TODAY)
births = st.one_of(
    plausible_births, plausible_births,
    st.dates(min_value=years_before(TODAY, 19), max_value=years_before(TODAY, 17)),
    st.dates(min_value=TODAY, max_value=TODAY + timedelta(days=800)),
    st.dates(min_value=date(1, 1, 1), max_value=date(99, 12, 31)),
)
whole_ages = st.integers(min_value=-3, max_value=130).map(str)
ages = st.one_of(whole_ages, whole_ages, whole_ages,
                 st.sampled_from(["", " ", "seven", "6.5", "1e2", "٣"]))
kinds = st.sampled_from(["child", "adult", "unknown", "child", "adult", "", "teenager"])


@st.composite
def typed(draw):
    """What a referrer might type into one person's form."""
    data = {"name": draw(st.sampled_from(["", "Ella Child", "Rob Adult"])),
            "relationship": draw(st.sampled_from(["sibling", "parent_partner", "grandparent",
                                                  "unknown", ""])),
            "child_or_adult": draw(kinds),
            "lives_there": draw(st.sampled_from(["yes", "no", "unknown", "yes", ""])),
            "concern": draw(st.sampled_from(["", "Drinks heavily at weekends"]))}
    born = draw(st.none() | births)
    if born is not None:
        data.update({"date_of_birth_0": str(born.day), "date_of_birth_1": str(born.month),
                     "date_of_birth_2": str(born.year)})
    # The age: none, anything, or (as a referrer who knows them would) near their date of birth.
    age = draw(st.none() | ages if born is None else
               st.none() | ages | st.integers(-1, 1).map(
                   lambda out: str(age_on(born, TODAY) + out)))
    if age is not None:
        data["age"] = age
    if draw(st.booleans()):  # child or adult as their age says, if a whole number
        known = (age_on(born, TODAY) if born is not None else
                 int(age) if age and age.lstrip("-").isdigit() else None)
        if known is not None:
            data["child_or_adult"] = "child" if known < 18 else "adult"
    return data


def form(data, referral=None):
    return HouseholdMemberForm(data, referral=referral or Referral())


def known_ages(values: dict) -> list[int]:
    found = [] if values["age"] is None else [values["age"]]
    if values["date_of_birth"]:
        found.append(age_on(values["date_of_birth"], TODAY))
    return found


def assert_consistent(values: dict):
    ages_known = known_ages(values)
    assert all(0 <= age <= 120 for age in ages_known), values
    if values["date_of_birth"]:
        assert values["date_of_birth"] <= TODAY, values
    if len(ages_known) == 2:
        assert abs(ages_known[0] - ages_known[1]) <= 1, values
    if values["child_or_adult"] == "child":
        assert all(age < 18 for age in ages_known), values
    elif values["child_or_adult"] == "adult":
        assert all(age >= 18 for age in ages_known), values
    else:
        assert values["child_or_adult"] == "unknown", values
    if values["child_or_adult"] != "adult":
        assert values["concern"] == "", values


def looks_consistent(data: dict) -> bool:
    """Whether what was typed is, by the promises, a person the page must accept."""
    if not (data["relationship"] and data["lives_there"]
            and data["child_or_adult"] in ("child", "adult", "unknown")):
        return False
    found = []
    age = data.get("age", "")
    if age:  # only a whitespace-only age is refused as not a number (Django's IntegerField)
        try:
            found.append(int(age))  # as Django reads it: "٣" is 3
        except ValueError:
            return False
    if "date_of_birth_0" in data:
        born = date(int(data["date_of_birth_2"]), int(data["date_of_birth_1"]),
                    int(data["date_of_birth_0"]))
        if born > TODAY:
            return False
        found.append(age_on(born, TODAY))
    if not all(0 <= a <= 120 for a in found):
        return False
    if len(found) == 2 and abs(found[0] - found[1]) > 1:
        return False
    kind = data["child_or_adult"]
    return not ((kind == "child" and any(a >= 18 for a in found))
                or (kind == "adult" and any(a < 18 for a in found)))


# --- the form ---------------------------------------------------------------------------------

@examples
@given(data=typed())
def test_property_an_accepted_person_is_consistent_and_a_consistent_one_is_accepted(db, data):
    bound = form(data)
    valid = bound.is_valid()
    event("accepted" if valid else "refused")
    assert valid == looks_consistent(data), (data, bound.errors)
    if valid:
        assert_consistent(bound.values())
    else:
        for field, messages in bound.errors.items():
            assert set(messages) <= MESSAGES[field], (field, messages, data)


# --- the page and the service ---------------------------------------------------------------

@pytest.fixture
def household_page(client, referrer):
    draft = complete_draft(referrer, child=True)
    client.force_login(referrer)
    return client, draft, reverse("referrals:step", args=[draft.pk, "household"])


def stored(draft) -> list[dict]:
    return list(draft.household_members.order_by("pk").values("pk", *FIELDS))


def audited(draft) -> int:
    return AuditEvent.objects.filter(referral_id=draft.pk,
                                     action__startswith="referral.household").count()


def as_typed(member: dict) -> dict:
    """A stored person as the change page shows them, to be saved unchanged."""
    data = {name: member[name] for name in ("name", "relationship", "child_or_adult",
                                            "lives_there", "concern")}
    data["age"] = "" if member["age"] is None else str(member["age"])
    if member["date_of_birth"]:
        born = member["date_of_birth"]
        data.update({"date_of_birth_0": str(born.day), "date_of_birth_1": str(born.month),
                     "date_of_birth_2": str(born.year)})
    return data


@pages
@given(data=typed())
def test_property_the_page_adds_only_consistent_people_and_refusing_changes_nothing(
        household_page, data):
    client, draft, url = household_page
    before, audit_before = stored(draft), audited(draft)
    response = client.post(url, {**data, "action": "add"})
    after = stored(draft)
    event("accepted" if looks_consistent(data) else "refused")
    if looks_consistent(data):
        assert response.status_code == 302, response.content.decode()[:2000]
        assert after[:-1] == before and len(after) == len(before) + 1
        added = after[-1]
        assert_consistent(added)
        assert audited(draft) == audit_before + 1
        # Opened again and saved unchanged: accepted, and nothing changes.
        again = client.post(f"{url}?member={added['pk']}", {**as_typed(added), "action": "save"})
        assert again.status_code == 302
        assert stored(draft) == after
    else:
        assert response.status_code == 200
        page = response.content.decode()
        assert "govuk-error-summary" in page
        assert after == before and audited(draft) == audit_before


@pages
@given(data=typed())
def test_property_changing_a_person_keeps_them_consistent_or_changes_nothing(household_page,
                                                                             data):
    client, draft, url = household_page
    if not draft.household_members.exists():
        client.post(url, {"name": "Ella Child", "relationship": "sibling",
                          "child_or_adult": "child", "age": "6", "lives_there": "yes",
                          "action": "add"})
    member = draft.household_members.order_by("pk").first()
    before, audit_before = stored(draft), audited(draft)
    response = client.post(f"{url}?member={member.pk}", {**data, "action": "save"})
    after = stored(draft)
    event("accepted" if looks_consistent(data) else "refused")
    if looks_consistent(data):
        assert response.status_code == 302
        assert len(after) == len(before) and after[1:] == before[1:]
        assert_consistent(after[0])
        assert audited(draft) == audit_before + 1
    else:
        assert response.status_code == 200
        assert after == before and audited(draft) == audit_before
        assert "You are changing this person" in response.content.decode()
