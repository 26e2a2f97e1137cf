"""Conditional reveals, as a person sees them (issue 18, item 7): the person step shows the
date of birth or the approximate age under the answer that needs it, and the decision form
shows only the next steps that fit the decision and the withheld reasons only when withheld.
axe runs on each state (aria-expanded on radios is govuk-frontend's own; tests/browser/reflow.py)."""

import pytest

from core.vocabulary import Outcome, Status
from tests.browser.conftest import assert_accessible
from tests.browser.reflow import look
from tests.factories.referrals import complete_draft
from tests.triage.factories import referral_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOWN = ".govuk-radios__conditional:not(.govuk-radios__conditional--hidden)"


def test_reveals_on_the_person_step_and_the_decision_form(page, live_server, sign_in, referrer,
                                                          staff_member, password):
    draft = complete_draft(referrer)
    sign_in(referrer.email, password)
    page.goto(f"{live_server.url}/referrals/{draft.pk}/person/")
    assert_accessible(page)
    age = page.get_by_label("Approximate age in years")
    page.get_by_label("I do not know their age").check()
    assert not age.is_visible() and not page.get_by_text("Date of birth", exact=True).is_visible()
    page.get_by_label("I know roughly how old they are").check()
    assert age.is_visible() and "govuk-input--width-3" in age.get_attribute("class")
    assert age.bounding_box()["height"] >= 35  # a GOV.UK input, not a 21 px browser box
    assert page.locator("#id_age_known_2").get_attribute("aria-controls") \
        == "conditional-age_known-2"
    assert_accessible(page)  # with a question revealed
    age.fill("")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "Enter their approximate age in years" in page.locator(
        ".govuk-error-summary").inner_text()
    assert page.get_by_label("Approximate age in years").is_visible()  # still open
    look(page, "person-step-age-error")

    worker = staff_member("oppd")
    referral = referral_make(referrer=referrer, assignee=worker)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    sign_in(worker.email, password)
    page.goto(f"{live_server.url}/triage/referral/{referral.pk}/decide/")
    assert_accessible(page)
    assert page.get_by_role("heading", name="Record the decision").count() == 1
    assert page.get_by_text("The decision", exact=True).count() == 0
    # Nothing about next steps until a decision is chosen; then only the steps that fit it.
    assert page.locator(SHOWN).filter(has_text="What happens next").count() == 0
    page.get_by_label(Outcome.NOT_SAFEGUARDING.label, exact=True).check()
    shown = page.locator(SHOWN).first
    labels = [label.strip() for label in shown.locator("label").all_inner_texts()]
    assert labels == ["Signposted to other support", "Referred to another service",
                      "No further action"]
    assert not page.get_by_text("Why is detail withheld?").is_visible()
    page.get_by_label("Detail withheld, with a general reason").check()
    assert page.get_by_text("Why is detail withheld?").is_visible()
    assert not page.get_by_label("Outcome, in plain words, for the referrer").is_visible()
    assert_accessible(page)
    look(page, "decision-form-withheld")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    assert_accessible(page)
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Select what happens next for ‘Not a safeguarding concern’" in summary
    assert "Select why detail is withheld from the referrer" in summary
    # The answers stay, with their questions open.
    assert page.get_by_text("Why is detail withheld?").is_visible()
    look(page, "decision-form-errors")
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
