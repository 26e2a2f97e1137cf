"""A triage worker works the queue: opens it, takes the oldest urgent referral, decides "not a
safeguarding concern" with signposting; the referrer, signed in, is told. axe on every page."""

import re
from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.vocabulary import Outcome, Status
from feedback.models import FeedbackRecord
from outbox.models import Channel, Notice, NoticeStatus
from tests.browser.conftest import assert_accessible
from tests.triage.factories import referral_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIGNPOSTING = "Southwark Carers offer advice on 020 7708 4497."


def test_triage_worker_decides_and_the_referrer_is_told(page, live_server, visit, sign_in,
                                                       referrer, staff_member, password):
    worker = staff_member("oppd")
    now = timezone.now()
    # The clock policies decide the due times: received eight days ago, the oldest urgent
    # referral's clocks are overdue whatever the day or hour, so it is the one due first.
    newer_urgent = referral_make(referrer=referrer, urgent=True,
                                 received_at=now - timedelta(minutes=30))
    oldest_urgent = referral_make(referrer=referrer, urgent=True,
                                  received_at=now - timedelta(days=8))
    referral_make(referrer=referrer, received_at=now - timedelta(hours=6))

    sign_in(worker.email, password)
    visit("/triage/")
    first_row = page.locator("table tbody tr").first
    assert first_row.get_attribute("data-reference") == oldest_urgent.reference
    assert newer_urgent.reference in page.content()
    assert "Margaret Ellison" not in page.content()

    first_row.get_by_role("link", name=oldest_urgent.reference).click()
    assert_accessible(page)
    page.get_by_role("button", name="Take this referral").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert page.locator("#assignee").inner_text() == worker.full_name

    page.get_by_role("link", name="Record the decision").click()
    assert_accessible(page)
    # Without feedback for the referrer nothing is saved: the error summary says why.
    page.get_by_label(Outcome.NOT_SAFEGUARDING.label, exact=True).check()
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert page.locator(".govuk-error-summary").is_visible()
    assert "Enter the outcome in plain words" in page.locator(".govuk-error-summary").inner_text()

    page.get_by_label(Outcome.NOT_SAFEGUARDING.label, exact=True).check()
    # The three section 42 criteria, one by one (issue 15 item 6).
    for question, answer in (("needs for care and support", "Met"),
                             ("at risk of, abuse or neglect", "Not met"),
                             ("unable to protect themselves", "Not known")):
        page.get_by_role("group", name=re.compile(question)).get_by_label(
            answer, exact=True).check()
    # Only the next steps that fit "not a safeguarding concern" show (conditional reveal).
    page.locator(".govuk-radios__conditional:not(.govuk-radios__conditional--hidden)") \
        .get_by_label("Signposted to other support").check()
    page.get_by_label("Outcome, in plain words, for the referrer").fill(
        "This is not a safeguarding concern.")
    page.get_by_label("Reason, for the referrer").fill(
        "She is safe at home and has the support she wants.")
    page.get_by_label("Signposting: where else to go for help").fill(SIGNPOSTING)
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert page.locator("#status").inner_text() == Status.CONCERN_DECIDED.label
    oldest_urgent.refresh_from_db()
    assert oldest_urgent.outcome == Outcome.NOT_SAFEGUARDING

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    sign_in(referrer.email, password)
    assert_accessible(page)
    record = FeedbackRecord.objects.get(referral=oldest_urgent)
    assert record.signposting == SIGNPOSTING
    # The referrer's portal notice of the decision is written and (eager Celery) delivered
    # (submission's acknowledgement is the other portal notice on the referral).
    notice = Notice.objects.get(referral=oldest_urgent, channel=Channel.PORTAL,
                                recipient=referrer, kind__startswith="feedback:")
    assert notice.status == NoticeStatus.SENT
    try:  # the feedback work's status page, once it has landed on main
        status_url = reverse("feedback:status", args=[oldest_urgent.pk])
    except NoReverseMatch:
        status_url = None
    if status_url:
        visit(status_url)
        assert "This is not a safeguarding concern." in page.content()
        assert SIGNPOSTING in page.content()
