""""Things have got worse" in Chromium, axe on every page: from the status page, an error
that keeps the page's words, then the confirmation saying who has been told."""

import pytest

from accounts.models import TeamRole
from tests.factories.accounts import OrganisationFactory, ReferrerFactory, staff
from tests.factories.referrals import referral_with

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_referrer_says_things_have_got_worse(page, visit, sign_in, password):
    referrer = ReferrerFactory(organisation=OrganisationFactory(name="Peckham Food Bank",
                                                                sector="voluntary"))
    staff("oppd", TeamRole.MANAGER)
    referral = referral_with(referrer)
    sign_in(referrer.email, password)
    visit(f"/feedback/referrals/{referral.pk}/")
    page.get_by_role("link", name="Things have got worse").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="Tell the team now").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "Enter what has changed" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("What has changed?").fill("Her son moved back in and took her keys.")
    page.get_by_role("button", name="Tell the team now").click()
    page.wait_for_load_state()
    assert_accessible(page)
    body = page.locator("main").inner_text()
    assert f"Referral {referral.reference} is marked urgent" in body
    assert "manager has been told by email and in the portal" in body
    page.get_by_role("link", name="Back to the referral").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "You told the team things have got worse" in page.locator("main").inner_text()
