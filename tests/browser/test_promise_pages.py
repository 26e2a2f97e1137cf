"""The pages the core's promise changed, looked at as a person would: axe on each, a screenshot
at 1200 px and at 320 px (kept in test-results/screenshots/ for review), and no horizontal
scrolling at 320 px (WCAG 1.4.10 reflow).

- Staff try to close a referral whose referrer asked for phone feedback: refused, and told what
  is owed and how to record it.
- An OPPD worker tries to link an adult referral to a MASH referral: refused in plain words, and
  the MASH referral is not changed.
- A referrer whose adult refused consent reads the status page: the decision and the general
  reason detail is withheld, never the staff's words.
"""

from pathlib import Path

import pytest
from django.urls import reverse

from core.vocabulary import Outcome, Status
from referrals.models import Referral
from tests.browser.conftest import assert_accessible
from tests.factories import triage
from tests.factories.accounts import PASSWORD, ReferrerFactory, staff
from tests.factories.referrals import referral_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("test-results/screenshots")


def look(page, name: str) -> None:
    """Screenshots at desktop and phone widths; at 320 px the page must not scroll sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1200, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: {overflow}px of horizontal scrolling at 320 px"
    page.set_viewport_size({"width": 1200, "height": 900})


def test_closing_with_phone_feedback_owed_is_refused_with_what_to_do(page, live_server,
                                                                     sign_in):
    referrer = ReferrerFactory()
    referral = referral_submit(referrer, feedback_preference="phone_only")
    worker = triage.worker(referral)
    triage.claim(referral, worker)
    triage.decide(referral, Outcome.NOT_SAFEGUARDING, worker)

    sign_in(worker.email, PASSWORD)
    page.goto(live_server.url + reverse("triage:action", args=[referral.pk, "close"]))
    assert_accessible(page)
    page.get_by_label("Reason for closing (internal)").fill("Advice given, no risk.")
    page.get_by_label("Fully achieved").check()
    page.get_by_label("Outcome, in plain words, for the referrer").fill("We closed it.")
    page.get_by_label("Reason, for the referrer").fill("No further risk found.")
    page.get_by_role("button", name="Close the referral").click()
    page.wait_for_load_state()
    assert_accessible(page)
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "phone" in summary.inner_text().lower()
    look(page, "close-refused-phone-feedback-owed")
    referral.refresh_from_db()
    assert referral.status != Status.CLOSED


def test_linking_to_another_teams_referral_is_refused_in_plain_words(page, live_server,
                                                                      sign_in):
    referrer = ReferrerFactory()
    adult = referral_submit(referrer)
    child = referral_submit(referrer, child=True)
    oppd = staff("oppd")

    sign_in(oppd.email, PASSWORD)
    page.goto(live_server.url + reverse("triage:action", args=[adult.pk, "link"]))
    assert_accessible(page)
    page.get_by_label("Reference of the other referral").fill(child.reference)
    page.get_by_role("button", name="Link", exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "No referral you can act on has that reference" in page.content()
    look(page, "link-refused-other-team")
    child.refresh_from_db()
    assert child.status == Status.SUBMITTED
    assert not Referral.objects.filter(linked_to=child).exists()
    adult.refresh_from_db()
    assert adult.linked_to_id is None


def test_consent_refused_status_page_says_withheld_in_general_words(page, live_server,
                                                                     sign_in):
    referrer = ReferrerFactory()
    referral = referral_submit(referrer, consent="no")
    worker = triage.worker(referral)
    triage.claim(referral, worker)
    triage.decide(referral, Outcome.NOT_SAFEGUARDING, worker,
                  text="STAFF-OUTCOME-WORDS", reason="STAFF-REASON-WORDS")

    sign_in(referrer.email, PASSWORD)
    page.goto(live_server.url + reverse("feedback:status", args=[referral.pk]))
    assert_accessible(page)
    text = page.locator("main").inner_text()
    assert "STAFF-OUTCOME-WORDS" not in text and "STAFF-REASON-WORDS" not in text
    assert "not a safeguarding concern" in text.lower()
    look(page, "status-consent-refused")
