"""Issue 16, part 3, in a real browser with axe on every page: the household page's "add
another" pattern (add two people, change one, remove one), then check your answers; at 1200
and 320 px."""

import pytest
from django.urls import reverse

from tests.browser.conftest import assert_accessible
from tests.browser.reflow import assert_no_sideways_scroll, look

from .browser_helpers import continue_, fill
from .factories import complete_draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SISTER = {"name": "Ella Child", "relationship": "sibling", "child_or_adult": "child",
          "age": "6", "lives_there": "yes"}
STEPFATHER = {"name": "Rob Adult", "relationship": "parent_partner",
              "child_or_adult": "adult", "lives_there": "yes",
              "concern": "Drinks heavily at weekends"}


def test_add_two_people_change_one_remove_one(visit, sign_in, page, referrer, password):
    draft = complete_draft(referrer, child=True)
    sign_in(referrer.email, password)
    url = reverse("referrals:step", args=[draft.pk, "household"])
    visit(url)
    assert "The family’s other children and the adults in the household" in page.content() \
        or "The family's other children and the adults in the household" in page.content()

    # An error first: the summary names each question, and what was typed stays.
    page.get_by_label("Their name (optional)").fill("Ella Child")
    continue_(page, "Add this person")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Select their relationship to the person you are referring" in summary
    assert page.get_by_label("Their name (optional)").input_value() == "Ella Child"

    fill(page, SISTER)
    continue_(page, "Add this person")
    # The adult's concern question is revealed by choosing "An adult".
    fill(page, {k: v for k, v in STEPFATHER.items() if k != "concern"})
    page.get_by_label("Is there anything known about this adult that worries you?",
                      exact=False).fill(STEPFATHER["concern"])
    continue_(page, "Add this person")
    assert "Add another person" in page.content()
    rows = page.locator(".govuk-summary-list__row")
    assert rows.count() == 2
    look(page, "household-two-added")
    assert_no_sideways_scroll(page)

    # Change the first: the form opens with her answers; save a new age.
    page.get_by_role("link", name="Change person 1, Ella Child").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert page.get_by_label("Their name (optional)").input_value() == "Ella Child"
    assert "Change Ella Child" in page.content()
    # She stays in the list, marked as the person being changed, beside the others.
    assert rows.count() == 2
    changing = page.locator(".govuk-summary-list__row[aria-current='true']")
    assert changing.count() == 1
    assert "Ella Child" in changing.inner_text()
    assert "You are changing this person" in changing.inner_text()
    assert_no_sideways_scroll(page)
    look(page, "household-change")
    page.get_by_label("Their age in years (optional)").fill("7")
    continue_(page, "Save changes")
    assert "aged 7" in page.content() and "aged 6" not in page.content()

    # Remove the second.
    page.get_by_role("button", name="Remove person 2, Rob Adult").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "Rob Adult" not in page.content() and "Ella Child" in page.content()

    continue_(page)  # a blank form: on to the next page, nobody else added
    assert list(draft.household_members.values_list("name", "age")) == [("Ella Child", 7)]

    visit(reverse("referrals:check", args=[draft.pk]))
    assert "Other children and adults in the household" in page.content()
    assert "Ella Child: Brother or sister" in page.content()
    look(page, "household-check-answers")
