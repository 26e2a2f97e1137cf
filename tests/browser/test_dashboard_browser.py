"""The dashboard in Chromium, as a team manager and as a VCS safeguarding lead, checked by axe."""

import pytest
from django.utils import timezone

from accounts.models import Membership, MembershipRole, MembershipStatus, Organisation
from dashboard.refresh import summaries_rebuild
from tests.browser.reflow import look
from tests.dashboard.world import world_build
from tests.dbreset import built_once

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    # Built once for both tests (committed, as the browser sees it), then loaded
    # (tests/dbreset.built_once); the summaries are rebuilt now for each test.
    built_once("dashboard-world", lambda: {k: r.pk for k, r in world_build().items()})
    summaries_rebuild(now=timezone.now())  # staff read the summaries, as in production


def test_manager_sees_figures_charts_tables_and_csv(page, sign_in, visit, staff_member, world,
                                                    password):
    # Not manager.oppd@...: the world's decisions were made by the service-built team staff.
    manager = staff_member("oppd", role="manager", email="watching.manager@council.example.gov.uk")
    sign_in(manager.email, password)
    visit("/dashboard/?months=24")
    assert page.get_by_role("heading", level=1).inner_text() == "Safeguarding dashboard"
    for heading in ["Concern decisions made the same working day", "Open breaches now, and their age",
                    "Time from referral to feedback", "Trend over the last 12 months, by sector"]:
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    # Every chart is an image with a name, and a table follows it.
    # 12 figures for an adult pathway (no MASH-only ones), plus challenges to decisions and
    # requests for advice, Making Safeguarding Personal, section 42 criteria not met, things
    # that got worse and follow-ups handed on (issue 15), parallel duties (issue 16); all but
    # one of the first 12 have a chart. What referrers tell us is for administrators only.
    assert page.get_by_role("table").count() == 19
    # 11 of the first 12 have a chart, and 6 of the 7 added (one of the small count tables has
    # none: test_charts_have_titles_descriptions checks each chart has its name).
    assert page.locator("svg[role=img]").count() == 17
    assert page.get_by_role("heading", name="How referrers rate the service").count() == 0
    assert page.get_by_role("heading", name="RAG timescales met, by rating").count() == 0
    # Filters work without JavaScript: a GET form.
    page.get_by_label("Show figures per").select_option("quarter")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "grain=quarter" in page.url
    from tests.browser.conftest import assert_accessible

    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Referrals received, by pathway” as CSV").click()
    assert download.value.suggested_filename.startswith("received-pathway-quarter-")
    # At a glance, then one section at a time from the contents, the filters kept (issue 18).
    glance = page.get_by_role("list", name="At a glance")
    assert glance.get_by_role("heading", name="Concern decisions on time").is_visible()
    assert glance.get_by_role("heading", name="Open breaches").is_visible()
    look(page, "dashboard")
    page.get_by_role("navigation", name="Contents").get_by_role(
        "link", name="Timeliness against the London targets").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "grain=quarter" in page.url and "section=timeliness" in page.url
    assert page.get_by_role("table").count() == 3  # concern decisions, enquiries, breaches
    assert page.get_by_label("Show figures per").input_value() == "quarter"
    look(page, "dashboard-timeliness")


def test_vcs_lead_sees_their_organisation(page, sign_in, visit, make_user, world, password):
    org = Organisation.objects.get(name="Peckham Food Bank")
    lead = make_user("lead@foodbank.example.org", "Lee Lead")
    Membership.objects.create(user=lead, organisation=org, role=MembershipRole.SAFEGUARDING_LEAD,
                              status=MembershipStatus.APPROVED)
    sign_in(lead.email, password)
    visit("/dashboard/?months=24")
    assert "Referrals made by Peckham Food Bank" in page.content()
    assert page.get_by_role("heading", name="Referrers who received feedback, by channel").is_visible()
    assert page.get_by_role("heading", name="Open breaches now, and their age").count() == 0
