"""Add information and chase: what they record, who they tell, who may do them."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Membership, MembershipRole, MembershipStatus
from audit.models import AuditEvent
from feedback.updates import referral_chase, referral_information_add
from outbox.models import Channel, Notice
from pathways.deadlines import deadline_open
from pathways.models import Deadline
from referrals.models import ReferralEvent

from .factories import referral_make


def test_added_information_reaches_the_assignee_and_the_timeline(referral, referrer, assignee):
    now = timezone.now()
    event = referral_information_add(referral=referral, actor=referrer,
                                     text="  He has moved in with his nephew.  ", now=now)
    assert event.kind == "information_added"
    assert event.reason == "He has moved in with his nephew."
    assert event.visible_to_referrer and event.actor == referrer and event.at == now
    notices = Notice.objects.filter(referral=referral, kind="information_added")
    assert sorted(n.channel for n in notices) == [Channel.EMAIL, Channel.PORTAL]
    assert {n.recipient for n in notices} == {assignee}
    # The email says only that information was added; the words stay behind sign-in.
    assert all("nephew" not in n.body for n in notices)
    audit = AuditEvent.objects.get(action="referral.information_added")
    assert audit.referral_id == referral.pk and audit.actor == referrer
    assert "nephew" not in str(audit.detail)


def test_without_an_assignee_the_team_managers_are_told(referrer, manager):
    referral = referral_make(referrer=referrer)
    referral_information_add(referral=referral, actor=referrer, text="New risk",
                             now=timezone.now())
    told = Notice.objects.filter(kind="information_added")
    assert set(told.values_list("recipient", flat=True)) == {manager.pk}


def test_empty_information_is_refused(referral, referrer):
    events = ReferralEvent.objects.count()  # the submission's own
    with pytest.raises(ValidationError) as refused:
        referral_information_add(referral=referral, actor=referrer, text="   ",
                                 now=timezone.now())
    assert refused.value.message_dict == {"text": ["Enter the new information."]}
    assert ReferralEvent.objects.count() == events


def test_someone_elses_referral_cannot_be_updated(referral, make_user, organisation):
    other = make_user("other@daycentre.example.org", "Other Volunteer")
    Membership.objects.create(user=other, organisation=organisation,
                              status=MembershipStatus.APPROVED)
    with pytest.raises(PermissionDenied):
        referral_information_add(referral=referral, actor=other, text="x", now=timezone.now())


def test_the_organisations_lead_can_add_information(referral, make_user, organisation):
    lead = make_user("lead@daycentre.example.org", "Lee Lead")
    Membership.objects.create(user=lead, organisation=organisation,
                              role=MembershipRole.SAFEGUARDING_LEAD,
                              status=MembershipStatus.APPROVED)
    event = referral_information_add(referral=referral, actor=lead, text="x",
                                      now=timezone.now())
    assert event.actor == lead


def test_closed_referral_takes_no_more_information(referrer, assignee):
    referral = referral_make(referrer=referrer, assignee=assignee, status="closed")
    with pytest.raises(ValidationError, match="closed"):
        referral_information_add(referral=referral, actor=referrer, text="x",
                                 now=timezone.now())


def test_chase_needs_a_missed_timeframe(referral, referrer):
    now = timezone.now()  # the referral was received an hour ago: its decision is not yet due
    with pytest.raises(ValidationError, match="None has been missed"):
        referral_chase(referral=referral, actor=referrer, now=now)


def test_chase_after_a_breach_escalates_to_the_managers_once(referrer, assignee, manager):
    now = timezone.now()
    referral = referral_make(referrer=referrer, assignee=assignee,
                             received_at=now - timedelta(days=10))  # the decision is overdue
    clock = Deadline.objects.get(referral=referral, kind="concern_decision")
    result = referral_chase(referral=referral, actor=referrer, now=now)
    assert result.created
    assert result.event.kind == "chased" and result.event.visible_to_referrer
    assert result.event.detail["deadline_id"] == clock.pk
    assert result.event.detail["escalation"] is True
    notices = Notice.objects.filter(kind="chased")
    assert {n.recipient for n in notices} == {manager}
    assert sorted(n.channel for n in notices) == [Channel.EMAIL, Channel.PORTAL]
    assert AuditEvent.objects.filter(action="referral.chased", referral_id=referral.pk).exists()
    again = referral_chase(referral=referral, actor=referrer, now=now + timedelta(hours=1))
    assert not again.created and again.event == result.event
    assert Notice.objects.filter(kind="chased").count() == 2


def test_a_breach_recorded_by_the_sweep_can_be_chased(referral, referrer, manager):
    now = timezone.now()
    clock = deadline_open(referral=referral, kind="concern_decision", starts=now)
    clock.breached_at = now
    clock.save(update_fields=["breached_at"])
    assert referral_chase(referral=referral, actor=referrer, now=now).created


def test_a_paused_clock_past_due_cannot_be_chased(referrer, assignee):
    now = timezone.now()
    referral = referral_make(referrer=referrer, assignee=assignee,
                             received_at=now - timedelta(days=10))  # the decision is overdue
    clock = Deadline.objects.get(referral=referral, kind="concern_decision")
    assert clock.due_at < now
    clock.paused_at = now - timedelta(days=1)
    clock.save(update_fields=["paused_at"])
    with pytest.raises(ValidationError):
        referral_chase(referral=referral, actor=referrer, now=now)


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_added_information_can_carry_a_file(referral, referrer, settings, tmp_path):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from referrals.models import Attachment

    upload = SimpleUploadedFile("tenancy letter.pdf", PDF, content_type="application/pdf")
    event = referral_information_add(referral=referral, actor=referrer, text="Letter attached.",
                                     now=timezone.now(), upload=upload)
    attachment = Attachment.objects.get(referral=referral)
    assert event.detail["attachment_ids"] == [attachment.pk]
    assert attachment.content_type == "application/pdf"
    assert attachment.uploaded_by == referrer
    assert attachment.original_name == "tenancy letter.pdf"
    assert "tenancy" not in attachment.stored_name  # random internal name
    assert default_storage.exists(attachment.stored_name)
    default_storage.delete(attachment.stored_name)


def test_a_file_that_is_not_an_allowed_type_is_refused(referral, referrer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("notes.pdf", b"#!/bin/sh\necho hello\n" * 10,
                                content_type="application/pdf")
    events = ReferralEvent.objects.count()  # the submission's own
    with pytest.raises(ValidationError) as refused:
        referral_information_add(referral=referral, actor=referrer, text="See file",
                                 now=timezone.now(), upload=upload)
    assert "must be a PDF" in refused.value.message_dict["file"][0]
    assert ReferralEvent.objects.count() == events
