"""The clocks in a browser, axe on every page: a breach reaches the manager's notices, the
referral shows it overdue, and a worker reads why, pauses with a reason and resumes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pathways.models import ClockPause, Deadline
from referrals.sweep import deadlines_sweep
from tests.browser.conftest import assert_accessible
from tests.triage.factories import referral_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_breach_reaches_the_manager_and_a_worker_pauses_and_resumes(
    page, visit, sign_in, referrer, staff_member, password
):
    manager = staff_member("oppd", role="manager")
    worker = staff_member("oppd")
    # Received ten days ago: the same-working-day concern decision has long been missed.
    referral = referral_make(referrer=referrer, received_at=timezone.now() - timedelta(days=10))
    report = deadlines_sweep(now=timezone.now())
    assert report.breached == 1

    sign_in(manager.email, password)
    visit("/feedback/notices/")
    assert f"Deadline missed: referral {referral.reference}" in page.content()
    visit(f"/triage/referral/{referral.pk}/")
    assert "Overdue" in page.get_by_role("table", name="Clocks on this referral").inner_text()
    page.context.clear_cookies()

    sign_in(worker.email, password)
    visit(f"/triage/referral/{referral.pk}/")
    page.get_by_role("link", name="Why each clock is due then, and pause or resume a clock").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_text("Why it is due then").click()
    assert page.get_by_text("Rule: the same working day").is_visible()
    assert_accessible(page)  # with the details open

    page.get_by_role("textbox", name="Note").fill("Agreed with DC Patel")
    page.get_by_role("button", name="Pause the clock").click()
    page.wait_for_load_state()
    assert_accessible(page)
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Select why the clock is paused" in summary
    assert page.get_by_role("textbox", name="Note").input_value() == "Agreed with DC Patel"

    page.get_by_label("Police investigation takes precedence").check()
    page.get_by_role("button", name="Pause the clock").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "The concern decision clock is paused." in page.content()
    assert ClockPause.objects.get().paused_by == worker

    page.get_by_role("button", name="Resume the concern decision clock").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "The concern decision clock has resumed." in page.content()
    assert Deadline.objects.get(referral=referral).paused_at is None
