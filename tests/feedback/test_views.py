"""The referrer's pages, the lead's list, notices: scoping, audit, consent, errors."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, MembershipRole, MembershipStatus, Organisation, Sector
from audit.models import AuditEvent
from feedback.services import feedback_owe
from outbox.models import Notice, NoticeStatus
from pathways.models import Deadline
from tests.factories.feedback import notice_failed
from tests.factories.triage import CRITERIA_FOR, note
from triage import transitions

from .built import submitted
from .factories import PERSON_NAME, referral_make


@pytest.fixture
def signed_in(client, referrer):
    client.force_login(referrer)
    return client


@pytest.fixture
def lead(make_user, organisation):
    user = make_user("lead@daycentre.example.org", "Lee Lead")
    Membership.objects.create(user=user, organisation=organisation,
                              role=MembershipRole.SAFEGUARDING_LEAD,
                              status=MembershipStatus.APPROVED)
    return user


@pytest.fixture
def other_organisation_referral(make_user):
    other_org = Organisation.objects.create(name="Peckham Food Bank", sector=Sector.VOLUNTARY)
    other = make_user("helper@foodbank.example.org", "Food Bank Helper")
    Membership.objects.create(user=other, organisation=other_org,
                              status=MembershipStatus.APPROVED)
    return referral_make(referrer=other)


def test_my_referrals_lists_drafts_then_submitted_with_feedback_and_due(
    signed_in, referrer, referral, other_organisation_referral
):
    draft = referral_make(referrer=referrer, status="draft")
    clock = Deadline.objects.get(referral=referral, kind="concern_decision")  # submission's
    response = signed_in.get(reverse("feedback:my-referrals"))
    page = response.content.decode()
    assert response.status_code == 200
    resume = reverse("referrals:resume", args=[draft.pk])
    assert f'href="{resume}">Continue<span class="govuk-visually-hidden">' in page
    assert f"{draft.draft_expires_at.day} {draft.draft_expires_at:%B %Y}" in page  # deleted by
    assert page.index("Drafts you have not sent") < page.index("Referrals you have sent")
    assert referral.reference in page
    assert "Received, waiting for a decision" in page
    assert "A decision on whether this is a safeguarding concern" in page
    assert str(clock.due_at.astimezone().year) in page
    assert other_organisation_referral.reference not in page
    assert PERSON_NAME not in page
    audit = AuditEvent.objects.get(action="feedback.my_referrals_viewed")
    assert audit.detail == {"referral_ids": [referral.pk]}


def _started(draft) -> str:
    return f"{timezone.localtime(draft.created_at):%-d %B %Y}"


def test_my_referrals_query_count_does_not_grow_with_referrals(signed_in, referrer):
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = signed_in.get(reverse("feedback:my-referrals"))
        assert response.status_code == 200
        return len(captured)

    def add(count):
        for _ in range(count):
            r = referral_make(referrer=referrer)  # submission opens its decision clock
            feedback_owe(referral=r, kind="decision", outcome_text="Not a safeguarding concern")

    queries_for_page()  # the session's first request stores the security fingerprint
    add(1)
    one = queries_for_page()
    add(15)
    sixteen = queries_for_page()
    assert sixteen == one, f"{one} queries for 1 referral, {sixteen} for 16"


def test_status_page_shows_only_what_the_referrer_may_see(signed_in, referral, assignee):
    note(referral, "INTERNAL: police intelligence", assignee)  # the submission's own event too
    feedback_owe(referral=referral, kind="decision", outcome_text="Not a safeguarding concern",
                 reason="Her needs are already met by her care package.",
                 signposting="Age UK Lewisham and Southwark: 020 7358 4077")
    response = signed_in.get(reverse("feedback:status", args=[referral.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "INTERNAL" not in page
    # The submission's own event, with the words it wrote for the referrer.
    assert "Referral received" in page and f"Received by the {referral.team.name}." in page
    assert "Not a safeguarding concern" in page
    assert "Her needs are already met" in page
    assert "Age UK Lewisham and Southwark" in page
    assert referral.team.name in page and referral.team.phone in page
    assert AuditEvent.objects.filter(action="referral.status_viewed", referral_id=referral.pk,
                                     allowed=True).exists()


def test_status_page_without_consent_shows_the_general_wording(signed_in, referrer, assignee):
    # Built as the form builds it: the adult step's "No, they do not agree" (Referral.consent).
    referral = submitted(referrer, consent="no")
    transitions.referral_decide(
        referral_id=referral.pk, actor=assignee, outcome="not_safeguarding",
        detail="signposted",
        feedback=transitions.Feedback(outcome_text="Not a safeguarding concern",
                                      reason="Daughter manages her money now.",
                                      signposting="Citizens Advice"),
        criteria=CRITERIA_FOR["not_safeguarding"])
    page = signed_in.get(reverse("feedback:status", args=[referral.pk])).content.decode()
    assert "did not agree to details being shared" in page
    assert "Daughter" not in page
    assert "Not a safeguarding concern" in page  # the minimum: whether it is a concern
    assert "Citizens Advice" in page  # where else to go is always shown
    assert "Status: Decision made" in page


def test_another_referrers_referral_is_not_found_and_the_attempt_audited(
    signed_in, other_organisation_referral
):
    pk = other_organisation_referral.pk
    for name in ("feedback:status", "feedback:add-information", "feedback:chase"):
        response = signed_in.get(reverse(name, args=[pk]))
        assert response.status_code == 404
        assert other_organisation_referral.reference not in response.content.decode()
    refused = AuditEvent.objects.filter(allowed=False, action__startswith="referral.")
    assert refused.count() == 3
    assert all(event.referral_id == pk for event in refused)


def test_drafts_have_no_status_page(signed_in, referrer):
    draft = referral_make(referrer=referrer, status="draft")
    assert signed_in.get(reverse("feedback:status", args=[draft.pk])).status_code == 404


def test_add_information_keeps_what_was_typed_on_error(signed_in, referral, settings):
    too_long = "x" * 5001
    response = signed_in.post(reverse("feedback:add-information", args=[referral.pk]),
                              {"text": too_long})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "must be 5000 characters or fewer" in page
    assert too_long in page
    empty = signed_in.post(reverse("feedback:add-information", args=[referral.pk]), {"text": ""})
    assert 'href="#id_text">Enter the new information.' in empty.content.decode()


def test_add_information_redirects_to_the_status_page(signed_in, referral):
    response = signed_in.post(reverse("feedback:add-information", args=[referral.pk]),
                              {"text": "The landlord changed the locks."}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("feedback:status", args=[referral.pk])
    assert "Your information has been added" in page
    assert "The landlord changed the locks." in page


def test_chase_page_tells_the_referrer_who_to_contact(signed_in, referrer, assignee, manager,
                                                      settings):
    referral = referral_make(referrer=referrer, assignee=assignee,
                             received_at=timezone.now() - timedelta(days=10))  # decision overdue
    url = reverse("feedback:chase", args=[referral.pk])
    page = signed_in.get(url).content.decode()
    assert "Chase the referral" in page
    response = signed_in.post(url)
    page = response.content.decode()
    assert "You have chased the referral" in page
    assert referral.team.phone in page
    assert "escalation" in page
    assert Notice.objects.filter(kind="chased", recipient=manager).count() == 2


def test_chase_without_a_missed_clock_explains_why(signed_in, referral):
    page = signed_in.post(reverse("feedback:chase", args=[referral.pk])).content.decode()
    assert "There is a problem" in page
    assert "None has been missed" in page


def test_organisation_lead_sees_all_their_organisations_referrals_only(
    client, lead, referral, referrer, other_organisation_referral
):
    second = referral_make(referrer=referrer)
    client.force_login(lead)
    page = client.get(reverse("feedback:organisation")).content.decode()
    assert referral.reference in page and second.reference in page
    assert other_organisation_referral.reference not in page
    assert client.get(reverse("feedback:status", args=[referral.pk])).status_code == 200
    assert client.get(
        reverse("feedback:status", args=[other_organisation_referral.pk])
    ).status_code == 404
    audit = AuditEvent.objects.get(action="feedback.organisation_viewed")
    assert set(audit.detail["referral_ids"]) == {referral.pk, second.pk}


def test_organisation_page_is_for_leads_only(signed_in):
    assert signed_in.get(reverse("feedback:organisation")).status_code == 403
    assert AuditEvent.objects.filter(action="feedback.organisation_viewed",
                                     allowed=False).exists()


def test_notices_page_lists_portal_notices_and_marks_them_read(signed_in, referral, referrer):
    feedback_owe(referral=referral, kind="decision", outcome_text="Not a safeguarding concern")
    page = signed_in.get(reverse("feedback:notices")).content.decode()
    assert f"Decision on safeguarding referral {referral.reference}" in page
    assert "New" in page
    signed_in.post(reverse("feedback:notices"))
    assert not Notice.objects.filter(recipient=referrer, channel="portal",
                                     read_at__isnull=True).exists()


def test_failed_notices_page_lets_an_administrator_send_again(
    client, council_admin, referral, signed_in
):
    notice = notice_failed(referral)
    assert signed_in.get(reverse("feedback:notices-failed")).status_code == 403
    client.force_login(council_admin)
    page = client.get(reverse("feedback:notices-failed")).content.decode()
    assert referral.reference in page and "ConnectionRefusedError" in page
    client.post(reverse("feedback:notices-failed"), {"notice": notice.pk})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PENDING and notice.attempts == 0
    assert AuditEvent.objects.filter(action="notice.retried", actor=council_admin).exists()


def test_admin_lists_notices_by_status(admin_client, referral):
    notice_failed(referral)
    response = admin_client.get("/admin/outbox/notice/?status__exact=failed")
    assert response.status_code == 200
    assert "acknowledgement" in response.content.decode()


def test_staff_record_phone_feedback_on_their_page(client, assignee, referrer, signed_in):
    referral = referral_make(referrer=referrer, assignee=assignee,
                             feedback_preference="phone_only", referrer_phone="07700 900123")
    feedback_owe(referral=referral, kind="decision", outcome_text="Not a safeguarding concern")
    url = reverse("feedback:give-by-phone", args=[referral.pk])
    assert signed_in.get(url).status_code == 404  # the referrer is not staff
    client.force_login(assignee)
    page = client.get(url).content.decode()
    assert "07700 900123" in page and "Not a safeguarding concern" in page
    empty = client.post(url, {"summary": ""}).content.decode()
    assert 'href="#id_summary">Enter a short summary' in empty
    response = client.post(url, {"summary": "Told them the outcome."}, follow=True)
    assert "Feedback given by phone is recorded" in response.content.decode()
    record = referral.feedback_records.get()
    assert record.given_by_phone and record.phone_summary == "Told them the outcome."
    assert AuditEvent.objects.filter(action="feedback.phone_viewed", actor=assignee).exists()


def test_add_information_with_a_file_shows_it_on_the_timeline(signed_in, referral):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from referrals.models import Attachment

    from .test_updates import PDF

    upload = SimpleUploadedFile("photo of door.pdf", PDF, content_type="application/pdf")
    response = signed_in.post(reverse("feedback:add-information", args=[referral.pk]),
                              {"text": "A photo of the door.", "file": upload}, follow=True)
    page = response.content.decode()
    assert "File attached:" in page and "photo of door.pdf" in page
    default_storage.delete(Attachment.objects.get(referral=referral).stored_name)


def test_a_refused_file_keeps_the_text_and_says_why(signed_in, referral):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("x.pdf", b"plain words " * 50, content_type="application/pdf")
    response = signed_in.post(reverse("feedback:add-information", args=[referral.pk]),
                              {"text": "Keep these words", "file": upload})
    page = response.content.decode()
    assert 'href="#id_file">The selected file must be a PDF' in page
    assert "Keep these words" in page
