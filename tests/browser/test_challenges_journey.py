"""Challenging a decision in Chromium, axe-core on every page: the referrer disagrees from the
status page, the team manager answers from their home page's list, the referrer reads the
answer and takes it to the head of service, and the manager's dashboard counts it."""

import pytest

from accounts.models import TeamRole
from challenges.models import Challenge
from tests.factories.accounts import OrganisationFactory, ReferrerFactory, staff
from tests.factories.referrals import referral_with

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _go(page, name, role="link"):
    page.get_by_role(role, name=name).first.click()
    page.wait_for_load_state()
    assert_accessible(page)


def test_referrer_challenges_manager_answers_referrer_takes_it_further(page, visit, sign_in,
                                                                       password):
    referrer = ReferrerFactory(organisation=OrganisationFactory(name="Peckham Food Bank",
                                                                sector="voluntary"))
    manager = staff("oppd", TeamRole.MANAGER)
    referral = referral_with(referrer, status="concern_decided")

    sign_in(referrer.email, password)
    visit("/home/")
    _go(page, "See your referrals and what has happened to them")
    _go(page, referral.reference)
    _go(page, "I disagree with this decision")
    _go(page, "Send the challenge", role="button")
    assert "Enter why you disagree" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Why do you disagree with the decision?").fill(
        "Her daughter takes her pension every week; the care package does not stop that.")
    _go(page, "Send the challenge", role="button")
    body = page.locator("main").inner_text()
    assert "Your challenge has been sent. The team manager has been told" in body
    assert "Waiting for an answer" in body

    page.context.clear_cookies()
    sign_in(manager.email, password)
    visit("/home/")
    _go(page, "Challenges to decisions")
    assert referral.reference in page.locator("main").inner_text()
    _go(page, f"Answer the challenge on {referral.reference}")
    assert "takes her pension" in page.locator("main").inner_text()
    _go(page, "Record the answer and tell the referrer", role="button")
    assert "Choose whether the decision stands" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("The decision stands").check()
    page.get_by_label("The answer, for the referrer to read").fill(
        "We spoke to her bank: the payments are protected now.")
    _go(page, "Record the answer and tell the referrer", role="button")
    assert "The answer is recorded" in page.locator("main").inner_text()
    visit("/dashboard/")
    assert "Challenges to decisions, by pathway and sector" in page.locator("main").inner_text()

    page.context.clear_cookies()
    sign_in(referrer.email, password)
    visit(f"/feedback/referrals/{referral.pk}/")
    body = page.locator("main").inner_text()
    assert "the payments are protected now" in body
    assert manager.full_name not in body  # who answered stays inside the council
    _go(page, "Take it to the head of service", role="button")
    assert "Your challenge has gone to the head of service" in page.locator("main").inner_text()
    assert Challenge.objects.get(referral=referral).level == 2
