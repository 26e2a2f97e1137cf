"""The dashboard at a glance (issue 18): the headline figures against their London targets,
this period beside the previous one, from referrals built through the services and decided at
chosen times; and the contents open one section at a time keeping the filters."""

import pytest

from core.vocabulary import Outcome, Role
from dashboard.figures import Context, sections_for
from dashboard.figures.headline import headlines
from dashboard.scope import Scope
from tests.factories import triage
from tests.triage.factories import referral_make

from .factories import london

pytestmark = pytest.mark.django_db

NOW = london(2026, 4, 20, 12, 0)  # Monday 20 April 2026
FILTERS = {"grain": "month", "months": 3, "pathway": None, "sector": None, "category": None,
           "urgency": None}


def decided(referrer, worker, received, decided_at):
    referral = referral_make(referrer=referrer, received_at=received, assignee=worker)
    triage.decide(referral, Outcome.NOT_SAFEGUARDING, worker, now=decided_at)
    return referral


def test_concern_decisions_this_month_against_last_and_open_breaches(referrer, staff_member):
    worker = staff_member("oppd")
    # March: one decided the same working day, one the next day: 1 of 2 on time (50%).
    decided(referrer, worker, london(2026, 3, 10, 10), london(2026, 3, 10, 11))
    decided(referrer, worker, london(2026, 3, 10, 10), london(2026, 3, 11, 10))
    # April: two decided the same day, one never decided (overdue since 15 April 17:00):
    # 2 of 3 on time (67%), and the undecided one is an open breach.
    decided(referrer, worker, london(2026, 4, 14, 10), london(2026, 4, 14, 12))
    decided(referrer, worker, london(2026, 4, 16, 9), london(2026, 4, 16, 16))
    referral_make(referrer=referrer, received_at=london(2026, 4, 15, 10))

    ctx = Context(scope=Scope(role=Role.TEAM_MANAGER, pathway="oppd", team_name="OPPD"),
                  filters=FILTERS, now=NOW)
    found = {h.slug: h for h in headlines(sections_for(ctx))}

    concern = found["concern-decisions"]
    assert (concern.value, concern.period) == ("67%", "April 2026")
    assert concern.trend == "Up 17 points from 50% in March 2026"
    assert concern.met is False and "same working day" in concern.target
    assert "mash-decisions" not in found  # an adult team's manager
    breaches = found["open-breaches"]
    assert breaches.period == "now" and breaches.met is False
    assert int(breaches.value) >= 1  # the undecided referral's concern decision at least
    told = found["feedback-channel"]
    assert told.title == "Referrers told what happened"


def test_the_contents_open_one_section_and_keep_the_filters(client, staff_member):
    client.force_login(staff_member("oppd", role="manager"))
    page = client.get("/dashboard/", {"months": "6", "grain": "week"})
    html = page.content.decode()
    assert 'href="?months=6&amp;grain=week&amp;section=timeliness"' in html
    assert "At a glance" in html
    one = client.get("/dashboard/", {"months": "6", "grain": "week", "section": "feedback"})
    body = one.content.decode()
    assert 'id="feedback"' in body and 'id="timeliness"' not in body.split("Contents")[1] \
        .split("</nav>")[1]
    assert '<input type="hidden" name="section" value="feedback">' in body
    assert 'href="?months=6&amp;grain=week">All sections</a>' in body
