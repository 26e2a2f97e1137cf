"""Organisations to contact, and what referrers tell us, against hand-computed data: every
referral submitted through the services at a chosen time, every rating through the services.

Now is Friday 20 November 2026, 12:00 London. This quarter so far: 1 October 2026 to now;
the same days last year: 1 October 2025 to 20 November 2025, 12:00.

| organisation            | referrals received                           | fallen?      | quiet (6 months: before 20 May 2026)? |
|-------------------------|----------------------------------------------|--------------|------|
| Peckham Food Bank       | 5 Oct 25, 1 Nov 25, 19 Nov 25; 10 Oct 26     | 3 to 1 (-2)  | no   |
| Bellenden Primary       | 2 Oct 25; 15 Aug 26                          | 1 to 0 (-1)  | no   |
| King's College Hospital | 10 Oct 25; 12 Oct 26, 2 Nov 26               | rose, 1 to 2 | no   |
| Southwark Housing       | 25 Nov 25 (after the same days last year)    | 0 to 0       | yes  |
| Camberwell Day Centre   | 21 May 26                                    | 0 to 0       | no; yes with 5 months (before 20 June) |
| Newly joined charity    | none                                         | no           | no (never referred) |
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core.vocabulary import Role
from dashboard.figures import SLUGS, Context, sections_for
from dashboard.scope import Scope
from learning import selectors
from learning.services import page_feedback_give, referral_rate
from tests.factories.accounts import OrganisationFactory, ReferrerFactory, council_admin, staff
from tests.factories.referrals import referral_with

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=LONDON)


def at(year, month, day):
    return datetime(year, month, day, 10, 0, tzinfo=LONDON)


@pytest.fixture
def world():
    made = {}
    for name, sector, days in [
        ("Peckham Food Bank", "voluntary",
         [at(2025, 10, 5), at(2025, 11, 1), at(2025, 11, 19), at(2026, 10, 10)]),
        ("Bellenden Primary", "education", [at(2025, 10, 2), at(2026, 8, 15)]),
        ("King's College Hospital", "health",
         [at(2025, 10, 10), at(2026, 10, 12), at(2026, 11, 2)]),
        ("Southwark Housing", "housing", [at(2025, 11, 25)]),
        ("Camberwell Day Centre", "voluntary", [at(2026, 5, 21)]),
        ("Newly joined charity", "voluntary", []),
    ]:
        org = OrganisationFactory(name=name, sector=sector)
        referrer = ReferrerFactory(organisation=org)
        made[name] = [referral_with(referrer, received_at=day) for day in days]
    return made


def test_organisations_whose_referrals_have_fallen(world):
    comparison = selectors.organisations_fallen(now=NOW)
    assert comparison.this_from == datetime(2026, 10, 1, tzinfo=LONDON)
    assert comparison.last_from == datetime(2025, 10, 1, tzinfo=LONDON)
    assert comparison.last_to == datetime(2025, 11, 20, 12, 0, tzinfo=LONDON)
    assert [(f.organisation.name, f.this_year, f.last_year, f.change)
            for f in comparison.rows] == [("Peckham Food Bank", 1, 3, -2),
                                          ("Bellenden Primary", 0, 1, -1)]


def test_organisations_that_have_stopped_referring(world, settings):
    since, quiet = selectors.organisations_quiet(now=NOW)
    assert since == datetime(2026, 5, 20, 12, 0, tzinfo=LONDON)
    assert [org.name for org in quiet] == ["Southwark Housing"]
    settings.LEARNING_QUIET_MONTHS = 5
    since, quiet = selectors.organisations_quiet(now=NOW)
    assert [org.name for org in quiet] == ["Southwark Housing", "Camberwell Day Centre"]


def test_quarters_and_months_at_their_edges():
    assert selectors.quarter_start(datetime(2026, 3, 31).date()).isoformat() == "2026-01-01"
    assert selectors.quarter_start(datetime(2026, 4, 1).date()).isoformat() == "2026-04-01"
    assert selectors._months_before(datetime(2026, 8, 31, tzinfo=LONDON), 6).date().isoformat() \
        == "2026-02-28"
    assert selectors._year_before(datetime(2028, 2, 29, tzinfo=LONDON)).date().isoformat() \
        == "2027-02-28"


def test_the_page_is_for_administrators_and_reached_from_their_home(client, world):
    url = reverse("learning:organisations")
    for person in (staff("oppd", "manager"), world["Peckham Food Bank"][0].referrer):
        client.force_login(person)
        assert client.get(url).status_code == 403
    client.force_login(council_admin())
    assert url in client.get(reverse("home")).content.decode()
    page = client.get(url).content.decode()
    assert "Peckham Food Bank" in page and "Southwark Housing" in page
    assert "Newly joined charity" not in page  # never referred: neither fallen nor quiet


@pytest.fixture
def ratings(world):
    food_bank, hospital = world["Peckham Food Bank"][-1], world["King's College Hospital"][1]
    referral_rate(referral=food_bank, actor=food_bank.referrer, rating=5, now=at(2026, 10, 10))
    referral_rate(referral=hospital, actor=hospital.referrer, rating=2, comment="Too long.",
                  now=at(2026, 10, 12))
    page_feedback_give(user=None, rating=4, comment="Clear.", now=at(2026, 11, 1))
    page_feedback_give(user=None, rating=1, comment="Old.", now=at(2024, 12, 1))


def _ctx(scope):
    return Context(scope=scope, now=NOW, filters={
        "grain": "month", "months": 12, "pathway": None, "sector": None, "category": None,
        "urgency": None})


def test_the_dashboard_counts_ratings_for_administrators_only(ratings):
    ctx = _ctx(Scope(role=Role.COUNCIL_ADMIN))
    # Columns: asked, answers, average, then very good, good, neither, poor, very poor.
    assert SLUGS["referrer-ratings"](ctx).rows == [
        ["After sending a referral", 2, 3.5, 1, 0, 0, 1, 0],
        ["Feedback link", 1, 4.0, 0, 1, 0, 0, 0],
        ["After a referral: Health", 1, 2.0, 0, 0, 0, 1, 0],
        ["After a referral: Voluntary and community", 1, 5.0, 1, 0, 0, 0, 0],
    ]
    assert SLUGS["referrer-comments"](ctx).rows == [
        ["1 November 2026", "Feedback link", "Good", "Clear."],
        ["12 October 2026", "After sending a referral", "Poor", "Too long."],
    ]
    manager = Scope(role=Role.TEAM_MANAGER, pathway="oppd", team_name="OPPD")
    lead = Scope(role=Role.ORGANISATION_LEAD, organisation_id=1, organisation_name="X")
    for scope in (manager, lead):
        slugs = {t.slug for s in sections_for(_ctx(scope)) for t in s["tables"]}
        assert not slugs & {"referrer-ratings", "referrer-comments"}


def test_a_manager_cannot_download_the_comments(client, ratings):
    client.force_login(staff("oppd", "manager"))
    assert client.get("/dashboard/referrer-comments.csv").status_code == 404
    client.force_login(council_admin())
    assert b"Too long." in client.get("/dashboard/referrer-comments.csv").content
