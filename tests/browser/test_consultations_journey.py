"""Asking for advice before referring, in Chromium with axe on every page: the referrer asks
from their home page, the team sees it at the top of its queue and starts a draft referral from
it, and the referrer continues that draft from the request's page."""

import pytest

from accounts.models import TeamRole
from consultations.models import Consultation
from tests.factories.accounts import OrganisationFactory, ReferrerFactory, staff

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _go(page, name, role="link"):
    page.get_by_role(role, name=name).first.click()
    page.wait_for_load_state()
    assert_accessible(page)


def test_referrer_asks_team_converts_referrer_continues_the_draft(page, visit, sign_in,
                                                                  password):
    referrer = ReferrerFactory(organisation=OrganisationFactory(name="Nunhead Knitting Circle",
                                                                sector="voluntary"))
    worker = staff("oppd", TeamRole.TRIAGE)

    sign_in(referrer.email, password)
    visit("/home/")
    _go(page, "Ask a team for advice before referring")
    _go(page, "Ask for advice", role="button")
    errors = page.locator(".govuk-error-summary").inner_text()
    assert "Select the team you want advice from" in errors and "Enter your question" in errors
    page.get_by_label("OPPD contact centre").check()
    page.get_by_label("What do you want advice about?").fill(
        "A member's son takes her shopping money. Should I refer?")
    page.get_by_label("In the next few days").check()
    page.get_by_label("Phone number to call you back on").fill("020 7525 0000")
    _go(page, "Ask for advice", role="button")
    assert "Your request has been sent" in page.locator("main").inner_text()
    reference = Consultation.objects.get().reference

    page.context.clear_cookies()
    sign_in(worker.email, password)
    visit("/home/")
    _go(page, "Open the")
    assert "Requests for advice (1 waiting)" in page.locator("main").inner_text()
    _go(page, reference)
    page.get_by_label("The advice given, for the referrer to read").fill(
        "That is financial abuse. We have started a referral for you to check and send.")
    _go(page, "Start a draft referral for them", role="button")
    assert "A draft referral has been started" in page.locator("main").inner_text()

    page.context.clear_cookies()
    sign_in(referrer.email, password)
    visit("/advice/")
    _go(page, reference)
    assert "That is financial abuse" in page.locator("main").inner_text()
    _go(page, "Continue the draft referral")
    main = page.locator("main").inner_text()
    assert "Drafts you have not sent" in main and "Deleted if not sent by" in main
