"""Issue 15, a named contact, in Chromium with axe on every page: the organisation's lead sees
the assigned worker's name and direct contact on the status page, hands the follow-up to a
colleague (an error first, that names what to do), and the status page then says who follows
it up. Screenshots at 1200 and 320 px (look)."""

import pytest

from accounts.models import TeamRole
from tests.factories import triage
from tests.factories.accounts import LeadFactory, OrganisationFactory, ReferrerFactory, staff
from tests.factories.referrals import referral_with

from .conftest import assert_accessible
from .reflow import look, reflow_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_sees_the_named_contact_and_hands_the_follow_up_on(page, visit, sign_in,
                                                                 password):
    organisation = OrganisationFactory(name="Peckham Food Bank", sector="voluntary")
    referrer = ReferrerFactory(organisation=organisation, full_name="Dana Volunteer")
    colleague = ReferrerFactory(organisation=organisation, full_name="Chris Colleague")
    lead = LeadFactory(organisation=organisation, full_name="Lee Lead")
    staff("oppd", TeamRole.MANAGER)
    worker = staff("oppd", full_name="Wendy Worker")
    worker.phone = "020 7525 0001"
    worker.save(update_fields=["phone"])
    referral = referral_with(referrer)
    triage.assign(referral, worker)

    sign_in(lead.email, password)
    visit(f"/feedback/referrals/{referral.pk}/")
    contact = page.locator("#named-contact").inner_text()
    assert "Wendy Worker" in contact and "020 7525 0001" in contact
    reflow_check(page, force=True)
    look(page, "named-contact-status")

    page.get_by_role("link", name="Hand over the follow-up to a colleague").click()
    page.wait_for_load_state()
    assert_accessible(page)
    reflow_check(page, force=True)
    page.get_by_role("button", name="Hand over the follow-up").click()
    page.wait_for_load_state()
    assert_accessible(page)
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Select the colleague who will follow up this referral" in summary
    assert page.title().startswith("Error:")
    look(page, "follow-up-error")
    page.get_by_label("Chris Colleague").check()
    page.get_by_role("button", name="Hand over the follow-up").click()
    page.wait_for_load_state()
    assert_accessible(page)
    body = page.locator("main").inner_text()
    assert "Chris Colleague now follows up referral" in body
    assert "Follow-up passed to a colleague" in body
    look(page, "follow-up-done")
    assert colleague.pk
