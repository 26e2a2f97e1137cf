"""Foundation journeys in Debian's Chromium, axe-core on every page visited.

1. Each role signs in and lands on its own home page; switching "Increase text" and "High
   contrast" persists across pages and into a new browser with the same cookies.
2. A newcomer signs up as a referrer, confirms their address from the emailed link, and the
   demo administrator approves them.
"""

import re

import pytest
from django.core import mail

from accounts.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [
    ("referrer@camberwell-daycentre.example.org", "Referrer, Camberwell Day Centre"),
    ("lead@camberwell-daycentre.example.org", "Safeguarding lead, Camberwell Day Centre"),
    ("triage.oppd@council.example.gov.uk", "Triage worker, OPPD contact centre"),
    ("manager.mash@council.example.gov.uk",
     "Team manager, Multi-Agency Safeguarding Hub (MASH)"),
    ("admin@council.example.gov.uk", "Council administrator"),
]


# `demo` (tests/conftest.py): the demo made once per run by `demo_data` (tests/demo.py), loaded;
# these tests need nothing else from it.


def _html_classes(page) -> str:
    return page.evaluate("document.documentElement.className")


def _press(page, name):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    assert_accessible(page)


@pytest.mark.parametrize(("email", "caption"), ROLES, ids=[r[0].split("@")[0] for r in ROLES])
def test_each_role_lands_on_its_home_and_display_settings_persist(
    demo, page, sign_in, live_server, browser, browser_context_args, email, caption
):
    sign_in(email, DEMO_PASSWORD)

    assert page.url == live_server.url + "/home/"
    assert page.locator(".govuk-caption-l").inner_text() == caption
    assert_accessible(page)

    _press(page, "Increase text")
    assert "portal-text-large" in _html_classes(page)
    assert page.url == live_server.url + "/home/"  # back where they were
    _press(page, "High contrast")
    assert "portal-high-contrast" in _html_classes(page)
    body_colour = page.evaluate("getComputedStyle(document.querySelector('h1')).color")
    assert body_colour == "rgb(255, 255, 0)"
    font_size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    assert float(font_size.rstrip("px")) > 16

    # Another page keeps both settings.
    page.get_by_role("link", name="Cookies").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert {"portal-text-large", "portal-high-contrast"} <= set(_html_classes(page).split())

    # A new browser with the same cookies (a later visit) keeps them, and the sign-in.
    again = browser.new_context(**browser_context_args)
    try:
        again.add_cookies(page.context.cookies())
        later = again.new_page()
        later.goto(live_server.url + "/home/")
        assert later.url == live_server.url + "/home/"
        assert later.locator(".govuk-caption-l").inner_text() == caption
        assert {"portal-text-large", "portal-high-contrast"} <= set(_html_classes(later).split())
        assert_accessible(later)
        # Pressing again turns a setting off.
        _press(later, "Increase text")
        assert "portal-text-large" not in _html_classes(later)
        assert "portal-high-contrast" in _html_classes(later)
    finally:
        again.close()


def _email_link(pattern: str) -> str:
    for message in reversed(mail.outbox):
        match = re.search(r"https?://\S+?(/account/" + pattern + r"\S*)", message.body)
        if match:
            return match.group(1)
    raise AssertionError(f"no email with a link to {pattern}")


def test_a_newcomer_signs_up_confirms_and_is_approved_by_the_administrator(
    demo, page, visit, sign_in, live_server
):
    page = visit("/")
    page.get_by_role("link", name="Create an account").click()
    page.wait_for_load_state()
    assert_accessible(page)

    page.get_by_label("Full name").fill("Rosa Newcomer")
    page.get_by_label("Email address").fill("rosa@lanternproject.example.org")
    page.get_by_label("Job title or role").fill("Befriending volunteer")
    page.get_by_label("Organisation you work or volunteer for").select_option(
        label="My organisation is not listed")
    page.get_by_label("Organisation name").fill("Lantern Befriending Project")
    page.get_by_label("What kind of organisation is it?").select_option(
        label="Voluntary and community")
    page.get_by_label("Create a password").fill("copper-kettle-harbour-19")
    page.get_by_label("Confirm your password").fill("copper-kettle-harbour-91")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()

    # A mistake: a clear error, and nothing typed (but the passwords) is lost.
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary")
    assert "The passwords do not match" in summary.inner_text()
    assert page.get_by_label("Full name").input_value() == "Rosa Newcomer"
    assert page.get_by_label("Organisation name").input_value() == "Lantern Befriending Project"
    assert_accessible(page)
    page.get_by_label("Create a password").fill("copper-kettle-harbour-19")
    page.get_by_label("Confirm your password").fill("copper-kettle-harbour-19")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    assert_accessible(page)

    # The emailed link (read from the outbox: live_server runs in this process).
    visit(_email_link("verify/"))
    assert "Email address confirmed" in page.content()
    assert "A council administrator will check your request" in page.content()

    sign_in("rosa@lanternproject.example.org", "copper-kettle-harbour-19")
    assert "Your request is waiting for approval" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert_accessible(page)

    # The demo administrator approves her.
    sign_in("admin@council.example.gov.uk", DEMO_PASSWORD)
    assert page.locator('[data-count="awaiting"]').inner_text() == "3"  # 2 demo + Rosa
    page.get_by_role("link", name="Review people waiting for approval").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("link", name="Decide on Rosa Newcomer's request").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "Lantern Befriending Project" in page.content()

    page.get_by_role("button", name="Save decision").click()  # forgot to choose
    page.wait_for_load_state()
    assert "Select whether to approve or refuse this request" in page.locator(
        ".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Approve as a referrer").check()
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_load_state()
    assert "Rosa Newcomer can now make referrals" in page.content()
    assert "Rosa Newcomer" not in page.locator("table").inner_text() if page.locator(
        "table").count() else True
    assert_accessible(page)
    assert mail.outbox[-1].to == ["rosa@lanternproject.example.org"]
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    sign_in("rosa@lanternproject.example.org", "copper-kettle-harbour-19")
    assert page.locator(".govuk-caption-l").inner_text() == (
        "Referrer, Lantern Befriending Project")
    assert_accessible(page)


def test_password_reset_in_the_browser(demo, page, visit, sign_in):
    page = visit("/account/sign-in/")
    page.get_by_role("link", name="I have forgotten my password").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Email address").fill("referrer@camberwell-daycentre.example.org")
    page.get_by_role("button", name="Send reset link").click()
    page.wait_for_load_state()
    assert_accessible(page)

    visit(_email_link("password-reset/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Choose a new password"
    page.get_by_label("New password", exact=True).fill("birch-lantern-ocean-55")
    page.get_by_label("Confirm new password").fill("birch-lantern-ocean-55")
    page.get_by_role("button", name="Save new password").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "Password changed" in page.content()

    sign_in("referrer@camberwell-daycentre.example.org", "birch-lantern-ocean-55")
    assert page.locator(".govuk-caption-l").inner_text() == "Referrer, Camberwell Day Centre"
