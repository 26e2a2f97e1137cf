"""Feedback owed, given by email or by phone, and the guard that keeps a referral open until
its referrer has been told."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from feedback.models import FeedbackRecord
from feedback.services import (
    FeedbackOutstanding,
    feedback_assert_given_before_close,
    feedback_give_by_phone,
    feedback_outstanding,
    feedback_owe,
)
from outbox.models import Channel, Notice
from outbox.wording import NoticeKind
from outbox.write import referrer_notify
from pathways.models import Deadline
from referrals.models import ReferralEvent

from .factories import referral_make


def owe(referral, **extra):
    return feedback_owe(referral=referral, kind="decision",
                        outcome_text="Not a safeguarding concern", reason="Needs are met.",
                        signposting="Age UK", **extra)


def test_feedback_emailed_counts_as_given_and_meets_the_clock(
    referral, django_capture_on_commit_callbacks
):
    built = set(Notice.objects.values_list("pk", flat=True))  # the acknowledgement's
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record = owe(referral)
    record.refresh_from_db()
    assert record.given_at is not None
    assert not record.given_by_phone
    clock = Deadline.objects.get(referral=referral, kind="feedback")
    assert clock.met_at == record.given_at
    assert sorted(Notice.objects.exclude(pk__in=built).values_list("channel", flat=True)) == [
        Channel.EMAIL, Channel.PORTAL]
    assert len(mail.outbox) == 1
    assert feedback_outstanding(referral) is False
    feedback_assert_given_before_close(referral)  # does not raise


def test_portal_notice_alone_does_not_count_as_given(referrer, assignee,
                                                     django_capture_on_commit_callbacks):
    referral = referral_make(referrer=referrer, assignee=assignee,
                             feedback_preference="phone_only")
    built = set(Notice.objects.values_list("pk", flat=True))  # the acknowledgement's
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record = owe(referral)
    record.refresh_from_db()
    assert list(Notice.objects.exclude(pk__in=built).values_list("channel", flat=True)) == [
        Channel.PORTAL]
    assert mail.outbox == []
    assert record.given_at is None
    assert feedback_outstanding(referral) is True


def test_closure_is_refused_while_feedback_is_not_sent(referral):
    owe(referral)  # queued, but not sent: the transaction has not committed
    with pytest.raises(FeedbackOutstanding) as refused:
        feedback_assert_given_before_close(referral)
    assert isinstance(refused.value, ValidationError)
    assert refused.value.code == "feedback_outstanding"


def test_a_first_closure_is_not_refused_because_it_carries_its_own_feedback(referral):
    """Closure always owes the referrer feedback of its own (workflow: feedback_required), so
    the guard asks only that feedback owed *before* it was given: a referral closed before any
    decision is closed with its feedback, not refused for want of an earlier one."""
    assert not FeedbackRecord.objects.filter(referral=referral).exists()
    feedback_assert_given_before_close(referral)


def test_phone_feedback_satisfies_the_clock_and_allows_closure(referrer, assignee):
    referral = referral_make(referrer=referrer, assignee=assignee,
                             feedback_preference="phone_only")
    record = owe(referral)
    clock = Deadline.objects.get(referral=referral, kind="feedback", met_at__isnull=True)
    given_at = timezone.now() + timedelta(minutes=30)
    feedback_give_by_phone(referral=referral, actor=assignee, given_at=given_at,
                           summary="Told the referrer the outcome and where to go.")
    record.refresh_from_db()
    clock.refresh_from_db()
    assert record.given_at == given_at
    assert record.given_by_phone
    assert clock.met_at == given_at
    assert feedback_outstanding(referral) is False
    feedback_assert_given_before_close(referral)
    event = ReferralEvent.objects.get(referral=referral, kind="feedback_by_phone")
    assert event.visible_to_referrer
    assert event.actor == assignee
    assert AuditEvent.objects.filter(action="feedback.given_by_phone",
                                     referral_id=referral.pk, actor=assignee).exists()


def test_phone_feedback_with_nothing_outstanding_is_recorded_as_feedback(referral, assignee):
    feedback_give_by_phone(referral=referral, actor=assignee, given_at=timezone.now(),
                           summary="Explained it is not a safeguarding concern.")
    record = FeedbackRecord.objects.get(referral=referral)
    assert record.kind == "phone" and record.given_by_phone
    assert feedback_outstanding(referral) is False


def test_phone_feedback_needs_the_referrals_team(referral, referrer, make_user):
    outsider = make_user("someone@elsewhere.example.org", "Someone Else")
    for actor in (outsider, referrer):
        with pytest.raises(PermissionDenied):
            feedback_give_by_phone(referral=referral, actor=actor, given_at=timezone.now(),
                                   summary="x")
    assert not FeedbackRecord.objects.exists()


def test_phone_feedback_needs_a_summary(referral, assignee):
    with pytest.raises(ValidationError):
        feedback_give_by_phone(referral=referral, actor=assignee, given_at=timezone.now(),
                               summary="  ")


@pytest.mark.parametrize("kind", NoticeKind.to_referrer())
def test_referrer_notify_uses_portal_and_email(kind, referral):
    notices = referrer_notify(referral=referral, kind=kind)
    assert sorted(n.channel for n in notices) == [Channel.EMAIL, Channel.PORTAL]
    assert all(n.recipient == referral.referrer for n in notices)


def test_referrer_notify_respects_phone_only(referrer, assignee):
    referral = referral_make(referrer=referrer, assignee=assignee,
                             feedback_preference="phone_only")
    notices = referrer_notify(referral=referral, kind=NoticeKind.CLOSED)
    assert [n.channel for n in notices] == [Channel.PORTAL]


def test_withheld_feedback_needs_a_known_reason(referral):
    with pytest.raises(ValueError):
        feedback_owe(referral=referral, kind="decision", outcome_text="", withheld=True,
                     withheld_reason="because")
