"""What a new user trips over in the first hour (issue 18), looked at in the browser: axe on every
page, screenshots at 1200 px and 320 px (test-results/screenshots/, reviewed) and no horizontal
scrolling at 320 px.

- The idle-timeout warning: nothing on a fresh page; shortly before the timeout, a modal dialog
  that holds focus, counts down and is announced; "Stay signed in" extends the session (a POST)
  and gives focus back; "Sign out" signs out. The page's clock is Playwright's (no waiting).
- The error pages: not found, the person awaiting approval who clicks "Make a new referral", and
  the server error page, each in the layout with the teams' numbers.
"""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tests.browser.conftest import assert_accessible
from tests.browser.test_promise_pages import look
from tests.factories.accounts import PASSWORD, ReferrerFactory, pending_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_timeout_warning_is_a_dialog_shortly_before_the_timeout(page, live_server, sign_in,
                                                                   settings):
    settings.SESSION_IDLE_SECONDS = 10 * 60
    settings.SESSION_IDLE_WARNING_SECONDS = 2 * 60
    referrer = ReferrerFactory()
    page.clock.install()
    sign_in(referrer.email, PASSWORD)
    page.goto(live_server.url + reverse("feedback:my-referrals"))
    dialog = page.locator("#session-timeout")
    page.wait_for_selector("#session-timeout[data-ready]", state="attached")
    # A fresh page opens with its heading: no warning, no stray button.
    assert not dialog.is_visible()
    assert not page.get_by_role("button", name="Stay signed in").is_visible()
    assert page.locator("main h1").inner_text() == "Your referrals"
    look(page, "timeout-none")

    page.get_by_role("link", name="Your notices").focus()
    page.clock.fast_forward("08:01")  # two minutes before the ten-minute timeout
    page.clock.run_for(1000)
    assert dialog.is_visible()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Stay signed in"
    assert "1 minute" in page.locator("#session-timeout-countdown").inner_text() or \
        "2 minutes" in page.locator("#session-timeout-countdown").inner_text()
    assert "we will sign you out in" in page.locator("#session-timeout-live").inner_text()
    # Focus stays in the dialog: Tab from the last button comes back round inside it.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('session-timeout').contains("
                         "document.activeElement) || document.activeElement === document.body")
    assert_accessible(page)
    look(page, "timeout-warning")

    with page.expect_response(lambda r: r.url.endswith("/keep-alive/")) as kept:
        page.get_by_role("button", name="Stay signed in").click()
    assert kept.value.status == 204 and kept.value.request.method == "POST"
    assert not dialog.is_visible()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Your notices"
    page.clock.fast_forward("05:00")  # five minutes after staying: no warning yet
    page.clock.run_for(1000)
    assert not dialog.is_visible()

    page.clock.fast_forward("03:30")
    page.clock.run_for(1000)
    assert dialog.is_visible()
    page.get_by_role("dialog").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("accounts:signed-out"))


def test_without_javascript_no_warning_covers_the_page(browser, live_server, db):
    referrer = ReferrerFactory()
    context = browser.new_context(java_script_enabled=False, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + reverse("accounts:sign-in"))
    page.get_by_label("Email address").fill(referrer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).is_visible()
    assert not page.locator("#session-timeout").is_visible()
    context.close()


def test_error_pages_say_what_to_do_and_whom_to_phone(page, live_server, sign_in, visit):
    from pathways.models import ContactPoint

    edt = ContactPoint.objects.get(kind="edt").phone
    visit("/no-such-page/")
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert edt in page.inner_text("main")
    look(page, "error-404")

    person = pending_person()
    sign_in(person.email, PASSWORD)
    assert edt in page.inner_text("main")  # "telephone the team today", with the number
    assert_accessible(page)
    look(page, "home-pending")
    visit(reverse("feedback:my-referrals"))
    page.get_by_role("link", name="Make a new referral").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert page.get_by_role("heading", level=1).inner_text() == \
        "You cannot make a referral online yet"
    assert edt in page.inner_text("main")
    look(page, "error-403-pending")

    # The server error page, as portal.errors renders it, served at a page address.
    from portal.errors import server_error

    html = server_error(RequestFactory().get("/")).content.decode()
    page.route("**/server-error-page/", lambda route: route.fulfill(
        status=500, body=html, content_type="text/html; charset=utf-8"))
    page.goto(live_server.url + "/server-error-page/")
    assert_accessible(page)
    assert edt in page.inner_text("main")
    look(page, "error-500")


def test_lists_drafts_and_navigation_as_a_lead_sees_them(page, live_server, sign_in, visit,
                                                        settings):
    """The lead's pages: the navigation (and its menu at 320 px), 'Your referrals' with drafts,
    search and pages, the organisation's list with the true state, check your answers."""
    from core.vocabulary import Outcome
    from tests.factories import triage
    from tests.factories.accounts import LeadFactory
    from tests.factories.referrals import complete_draft, partial_draft, referral_with

    settings.REFERRAL_LIST_PAGE_SIZE = 3
    lead = LeadFactory()
    made = [referral_with(lead, person_name=f"Person {n}") for n in range(5)]
    triage.decide(made[-1], Outcome.NOT_SAFEGUARDING, triage.worker(made[-1]))
    partial_draft(lead, until="concern", person_name="Eleanor Whitcombe")
    check = complete_draft(lead)

    sign_in(lead.email, PASSWORD)
    nav = page.get_by_role("navigation", name="Menu")
    for label in ("Your referrals", "Organisation’s referrals", "Dashboard", "Notices",
                  "Sign-in security"):
        assert nav.get_by_role("link", name=label).count() == 1, label
    page.set_viewport_size({"width": 320, "height": 900})
    toggle = page.get_by_role("button", name="Menu")
    # The toggle appears when govuk-frontend's media-query listener fires, after the resize.
    toggle.wait_for(state="visible", timeout=5000)
    toggle.click()
    assert nav.get_by_role("link", name="Sign-in security").is_visible()
    assert_accessible(page)
    page.screenshot(path="test-results/screenshots/nav-menu-open-320.png", full_page=True)
    page.set_viewport_size({"width": 1200, "height": 900})

    nav.get_by_role("link", name="Your referrals").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "Person with initials E W" in page.inner_text("main")
    assert "Whitcombe" not in page.content()
    look(page, "my-referrals-page-1")
    page.get_by_role("link", name="Next page").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert made[0].reference in page.inner_text("main")  # the oldest, on the last page
    page.get_by_label("Search your referrals").fill("Person 3")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert made[3].reference in page.inner_text("main")
    look(page, "my-referrals-search")

    visit(reverse("feedback:organisation"))
    assert "Decision made" in page.inner_text("main")  # feedback sent at once here (on commit)
    look(page, "organisation-list")

    visit(reverse("referrals:check", args=[check.pk]))
    assert "(optional)" not in page.inner_text("main")
    look(page, "check-answers")
