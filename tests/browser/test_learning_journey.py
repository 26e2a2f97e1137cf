"""Issue 15, items 7 and 8, in Chromium with axe on every page: a manager closes an adult
referral recording whether the person's desired outcomes were achieved and the referrer reads
it; a referrer rates making a referral after sending it; anyone reads the guidance and gives
feedback from the phase banner; an administrator finds the organisations whose referrals have
fallen from their home page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import TeamRole
from learning import selectors
from learning.models import ReferrerFeedback
from tests.factories.accounts import OrganisationFactory, ReferrerFactory, staff
from tests.factories.referrals import referral_with

from .conftest import assert_accessible
from .reflow import look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _go(page, name, role="link"):
    page.get_by_role(role, name=name).first.click()
    page.wait_for_load_state()
    assert_accessible(page)


def test_close_with_msp_outcome_and_the_referrer_reads_it(page, visit, sign_in, password):
    referrer = ReferrerFactory(organisation=OrganisationFactory(name="Peckham Food Bank",
                                                                sector="voluntary"))
    manager = staff("oppd", TeamRole.MANAGER)
    referral = referral_with(referrer)

    sign_in(manager.email, password)
    visit("/triage/")
    _go(page, referral.reference)
    _go(page, "Close the referral")
    assert "She wants the money to stop going." in page.get_by_test_id(
        "desired-outcomes").inner_text()
    page.get_by_label("Reason for closing (internal)").fill("Daughter now manages the card.")
    page.get_by_label("Outcome, in plain words, for the referrer").fill(
        "We have closed the referral.")
    page.get_by_label("Reason, for the referrer").fill("The money is safe now.")
    _go(page, "Close the referral", role="button")
    assert "Select whether the outcomes the person wanted were achieved" in page.locator(
        ".govuk-error-summary").inner_text()
    assert page.get_by_label("Reason for closing (internal)").input_value() == (
        "Daughter now manages the card.")
    page.get_by_label("Partly achieved").check()
    look(page, "close-msp-outcome")
    _go(page, "Close the referral", role="button")
    referral.refresh_from_db()
    assert referral.status == "closed" and referral.msp_outcome == "partly"

    page.context.clear_cookies()
    sign_in(referrer.email, password)
    visit(f"/feedback/referrals/{referral.pk}/")
    assert page.get_by_test_id("desired-outcomes").inner_text() == (
        "Some of the outcomes the person wanted were achieved.")
    look(page, "status-msp-outcome")


def test_referrer_rates_making_the_referral_after_sending(page, visit, sign_in, password):
    referrer = ReferrerFactory(organisation=OrganisationFactory(name="Nunhead Knitting Circle",
                                                                sector="voluntary"))
    staff("oppd", TeamRole.MANAGER)
    referral = referral_with(referrer)
    sign_in(referrer.email, password)
    visit(f"/referrals/{referral.pk}/sent/")
    look(page, "confirmation-rate")
    _go(page, "Send your rating", role="button")  # nothing chosen: the form's own page
    assert "Select how making the referral was" in page.locator(
        ".govuk-error-summary").inner_text()
    page.get_by_label("Good", exact=True).check()
    page.get_by_label("Tell us why, in a sentence (optional)").fill(
        "Clear, but the categories took a while.")
    _go(page, "Send your rating", role="button")
    assert "Thank you for your feedback" in page.locator("main").inner_text()
    assert page.get_by_test_id("rate-referral").count() == 0
    row = ReferrerFeedback.objects.get()
    assert (row.rating, row.sector) == (4, "voluntary")


def test_guidance_and_feedback_from_every_page(page, visit):
    visit("/")
    _go(page, "Guidance for referrers")
    assert page.get_by_role("heading", name="Section 42 enquiries (adults)").is_visible()
    assert page.get_by_role("heading", name="Cuckooing").is_visible()
    look(page, "guidance")
    _go(page, "give your feedback")
    _go(page, "Send feedback", role="button")
    assert "Select how you felt about the service" in page.locator(
        ".govuk-error-summary").inner_text()
    page.get_by_label("Good", exact=True).check()
    page.get_by_label("How could we improve it? (optional)").fill("Say which team is which.")
    look(page, "give-feedback")
    _go(page, "Send feedback", role="button")
    assert "Feedback sent" in page.locator("main").inner_text()
    assert ReferrerFeedback.objects.get().page == "learning:guidance"


def test_administrator_sees_organisations_whose_referrals_have_fallen(page, visit, sign_in,
                                                                      password, council_admin):
    comparison = selectors.organisations_fallen(now=timezone.now())
    last_year = comparison.last_from + (comparison.last_to - comparison.last_from) / 2
    school = OrganisationFactory(name="Bellenden Primary School", sector="education")
    teacher = ReferrerFactory(organisation=school)
    for hours in (0, 1):
        referral_with(teacher, received_at=last_year + timedelta(hours=hours))
    quiet = ReferrerFactory(organisation=OrganisationFactory(name="Southwark Housing Co-op",
                                                             sector="housing"))
    referral_with(quiet, received_at=timezone.now() - timedelta(days=400))

    sign_in(council_admin.email, password)
    visit("/home/")
    _go(page, "Learning from referrers: organisations to contact, and what referrers tell us")
    fallen = page.get_by_test_id("fallen").inner_text()
    assert "Bellenden Primary School" in fallen
    assert "Southwark Housing Co-op" in page.get_by_test_id("quiet").inner_text()
    look(page, "organisations-to-contact")
