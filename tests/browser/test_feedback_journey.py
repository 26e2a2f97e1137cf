"""Feedback journeys in Chromium, axe-core on every page visited.

The referrer sees the decision, adds information, and the assignee sees it in their notices;
a referrer chases a missed clock; an organisation's lead sees the organisation's referrals;
an administrator sees failed notices.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, MembershipRole, MembershipStatus
from audit.models import AuditEvent
from feedback.services import feedback_owe
from outbox.models import Notice
from referrals.models import ReferralEvent
from tests.factories.feedback import notice_failed
from tests.factories.triage import note
from tests.feedback.factories import referral_make, staff_make

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_referrer_sees_decision_adds_information_and_assignee_sees_it(
    page, visit, sign_in, referrer, make_user, password
):
    assignee = staff_make(make_user, role="triage")
    referral_make(referrer=referrer, status="draft")
    referral = referral_make(referrer=referrer, assignee=assignee)  # its submission's events
    mail.outbox.clear()  # the acknowledgement, sent when the submission committed
    note(referral, "Internal: spoke to the GP", assignee)
    with transaction.atomic():
        feedback_owe(referral=referral, kind="decision", actor=assignee,
                     outcome_text="Not a safeguarding concern",
                     reason="Her needs are met by the care package already in place.",
                     signposting="Age UK Lewisham and Southwark: 020 7358 4077")
    assert len(mail.outbox) == 1  # the decision's email went on commit

    sign_in(referrer.email, password)
    visit("/feedback/referrals/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your referrals"
    # The draft says whose, how far and when it goes (issue 18), and can be continued.
    assert page.get_by_role("heading", name="Drafts you have not sent").is_visible()
    assert "Deleted if not sent by" in page.content()
    assert page.get_by_role("link", name="Continue the draft about").count() == 1
    page.get_by_role("link", name=referral.reference).click()
    page.wait_for_load_state()
    assert_accessible(page)
    body = page.locator("main").inner_text()
    assert "Not a safeguarding concern" in body
    assert "Her needs are met by the care package" in body
    assert "Age UK Lewisham and Southwark" in body
    assert "Internal" not in body

    page.get_by_role("link", name="Add information").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="Add information").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert page.locator(".govuk-error-summary").inner_text().count("Enter the new information") == 1
    page.get_by_label("What has changed?").fill("The landlord changed the locks yesterday.")
    page.get_by_role("button", name="Add information").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "Your information has been added" in page.content()
    assert "The landlord changed the locks yesterday." in page.locator("main").inner_text()

    visit("/feedback/notices/")
    assert f"Decision on safeguarding referral {referral.reference}" in page.content()

    page.context.clear_cookies()
    sign_in(assignee.email, password)
    visit("/feedback/notices/")
    notices = page.locator("main").inner_text()
    assert f"New information on safeguarding referral {referral.reference}" in notices
    assert ReferralEvent.objects.filter(referral=referral, kind="information_added").exists()
    assert AuditEvent.objects.filter(action="referral.information_added",
                                     referral_id=referral.pk).exists()


def test_chase_lead_list_and_failed_notices(
    page, visit, sign_in, referrer, organisation, make_user, password, council_admin
):
    manager = staff_make(make_user, role="manager")
    referral = referral_make(referrer=referrer,
                             received_at=timezone.now() - timedelta(days=10))  # decision overdue

    sign_in(referrer.email, password)
    visit(f"/feedback/referrals/{referral.pk}/")
    assert "A timeframe was missed" in page.content()
    page.get_by_role("link", name="Chase this referral").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="Chase the referral").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "You have chased the referral" in page.content()
    assert referral.team.phone in page.content()
    assert Notice.objects.filter(kind="chased", recipient=manager).count() == 2

    # The manager phones a referrer for whom email is not safe, and records it.
    phone_only = referral_make(referrer=referrer, feedback_preference="phone_only")
    with transaction.atomic():
        feedback_owe(referral=phone_only, kind="decision", outcome_text="Early help offered")
    page.context.clear_cookies()
    sign_in(manager.email, password)
    visit(f"/feedback/referrals/{phone_only.pk}/feedback-by-phone/")
    page.get_by_label("What did you tell the referrer?").fill("Gave the outcome by phone.")
    page.get_by_role("button", name="Record feedback given by phone").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "Feedback given by phone is recorded" in page.content()
    assert phone_only.feedback_records.get().given_by_phone

    lead = make_user("lead@daycentre.example.org", "Lee Lead")
    Membership.objects.create(user=lead, organisation=organisation,
                              role=MembershipRole.SAFEGUARDING_LEAD,
                              status=MembershipStatus.APPROVED)
    page.context.clear_cookies()
    sign_in(lead.email, password)
    visit("/feedback/organisation/")
    assert referral.reference in page.content()

    notice_failed(referral)
    page.context.clear_cookies()
    sign_in(council_admin.email, password)
    visit("/feedback/notices/failed/")
    page.get_by_role("button", name="Send again").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "The notice will be sent again" in page.content()
