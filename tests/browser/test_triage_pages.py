"""The rest of the triage workspace in a browser, axe on every page: a manager's workload and
reassignment, search results, duplicates and the merge form, and a MASH worker's RAG rating."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.vocabulary import Status
from referrals.choices import AdultCategory
from tests.browser.conftest import assert_accessible
from tests.browser.reflow import assert_no_sideways_scroll, look
from tests.triage.factories import referral_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_reassigns_from_the_workload_page(page, visit, sign_in, referrer, staff_member,
                                                  password):
    manager = staff_member("oppd", role="manager")
    worker = staff_member("oppd")
    # A long name in the reassign drop-down made the workload page wider than the window.
    long_named = staff_member("oppd", email="long.name@council.example.gov.uk")
    long_named.full_name = "Bartholomew Featherstonehaugh-Cholmondeley Wolfeschlegelsteinhausen"
    long_named.save(update_fields=["full_name"])
    # Received just now: urgent and unassigned, but not yet overdue (its own clocks are fresh).
    urgent = referral_make(referrer=referrer, urgent=True, received_at=timezone.now(),
                           categories=[c.value for c in AdultCategory])
    # Received a week and more ago: its decision is overdue whatever day the test runs.
    referral_make(referrer=referrer, received_at=timezone.now() - timedelta(days=8),
                  assignee=worker)
    sign_in(manager.email, password)
    visit("/triage/")
    # The queue's due column is a short tag ("Overdue 8 days", "Due today 5pm"); the sentence
    # is there for screen readers; no sideways scrolling at 1024 px or 320 px (issue 18).
    tags = page.locator("table tbody .govuk-tag.portal-tag--short").all_inner_texts()
    assert any(t.startswith("Overdue ") and t.endswith((" days", " day")) for t in tags), tags
    assert all(len(t) <= 20 for t in tags), tags
    assert "Overdue: it was due" in page.locator("table tbody").text_content()
    assert_no_sideways_scroll(page, (1024, 320))
    look(page, "queue")
    visit("/triage/?urgency=urgent&assignee=unassigned")
    assert page.locator("table tbody tr").first.get_attribute("data-reference") == \
        urgent.reference
    page.get_by_role("link", name="Team workload and overdue list").click()
    assert_accessible(page)
    assert "Overdue" in page.content()
    assert_no_sideways_scroll(page, (1024, 320))
    look(page, "workload")
    table = page.get_by_role("table", name="Unassigned urgent referrals")
    table.get_by_label(f"Assign {urgent.reference} to").select_option(str(worker.pk))
    table.get_by_role("button", name=f"Assign {urgent.reference}").click()
    page.wait_for_load_state()
    assert_accessible(page)
    urgent.refresh_from_db()
    assert urgent.assignee == worker


def test_search_duplicates_and_merge_form(page, visit, sign_in, referrer, staff_member,
                                          password):
    worker = staff_member("oppd")
    first = referral_make(referrer=referrer, person_name="Winifred Okonkwo")
    second = referral_make(referrer=referrer, person_name="Winifred Okonkwo")
    sign_in(worker.email, password)
    visit("/triage/")
    page.get_by_label("Person's name").fill("Winifred Okonkwo")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "Okonkwo" not in page.url
    results = page.get_by_role("table", name="Search results")
    assert results.locator("tbody tr").count() == 2
    results.get_by_role("link", name=second.reference).click()
    assert_accessible(page)
    page.locator("#duplicates").get_by_role("link", name=f"Merge into {first.reference}").click()
    assert_accessible(page)
    assert page.get_by_label("Reference of the referral to merge into").input_value() == \
        first.reference
    page.get_by_role("button", name="Merge").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "Enter the reason for the decision" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Reason, for the referrer").fill("We already had a referral about her.")
    page.get_by_role("button", name="Merge").click()
    page.wait_for_load_state()
    assert_accessible(page)
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.linked_to_id == first.pk


def test_mash_worker_rates_a_referral(page, visit, sign_in, referrer, staff_member, password):
    worker = staff_member("mash")
    child = referral_make(referrer=referrer, pathway="mash", urgent=True)
    sign_in(worker.email, password)
    visit(f"/triage/referral/{child.pk}/")
    page.get_by_role("link", name="Give a RAG rating").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save the rating").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "Select red, amber or green" in page.content()
    page.get_by_label("Red").check()
    page.get_by_role("button", name="Save the rating").click()
    page.wait_for_load_state()
    assert_accessible(page)
    child.refresh_from_db()
    assert (child.status, child.rag_rating) == (Status.RAG_RATED, "red")
    page.get_by_role("link", name="Record the decision").click()
    assert_accessible(page)
    page.goto(page.url.replace("/decide/", "/reroute/"))
    assert_accessible(page)
