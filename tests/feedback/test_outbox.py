"""The outbox: nothing sent for a rolled-back change, never sent twice, bounded retries with
backoff, a visible failed state, and the sweep that re-queues lost notices."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from outbox.dispatch import notices_requeue_due
from outbox.models import Channel, Notice, NoticeStatus
from outbox.send import notice_send_now, retry_delay
from outbox.tasks import notice_send, notices_requeue
from outbox.write import notice_queue
from portal.celery import app

from .backends import FlakyBackend
from .factories import referral_acknowledged


class Boom(Exception):
    """A failure raised on purpose to roll a transaction back."""


def queue_ack(referral, **extra):
    return notice_queue(kind="acknowledgement", recipient=referral.referrer, referral=referral,
                        **extra)


def test_notice_written_in_a_rolled_back_transaction_is_never_sent(
    referral, django_capture_on_commit_callbacks
):
    built = set(Notice.objects.values_list("pk", flat=True))  # the submission's own
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom), transaction.atomic():
            queue_ack(referral)
            raise Boom
    assert callbacks == []
    assert not Notice.objects.exclude(pk__in=built).exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_rolled_back_notice_with_real_commits_is_never_sent(referrer, assignee):
    referral = referral_acknowledged(referrer=referrer, assignee=assignee)
    built = set(Notice.objects.values_list("pk", flat=True))  # the submission's own
    with pytest.raises(Boom), transaction.atomic():
        queue_ack(referral)
        raise Boom
    assert not Notice.objects.exclude(pk__in=built).exists()
    assert mail.outbox == []
    # Control: the same call that commits is sent, once.
    with transaction.atomic():
        queue_ack(referral)
    assert Notice.objects.exclude(pk__in=built).get().status == NoticeStatus.SENT
    assert len(mail.outbox) == 1


def test_send_task_run_twice_sends_one_email(referral, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = queue_ack(referral)
    assert len(mail.outbox) == 1
    notice_send.delay(notice.pk)
    notice_send.apply(args=[notice.pk])
    notice_send_now(notice.pk)
    notice.refresh_from_db()
    assert len(mail.outbox) == 1
    assert notice.attempts == 1
    assert notice.status == NoticeStatus.SENT
    assert mail.outbox[0].to == [referral.referrer.email]


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_of_one_notice_send_one_email(referrer, assignee, settings):
    """Two workers handed the same id at once: the row lock makes the second wait, then find
    the notice sent."""
    settings.EMAIL_BACKEND = "tests.feedback.backends.SlowBackend"
    referral = referral_acknowledged(referrer=referrer, assignee=assignee)
    with transaction.atomic():
        notice = notice_queue(
            kind="acknowledgement", subject="s", body="b", recipient=referrer,
            recipient_email=referrer.email, referral=referral, send_after_commit=False,
        )
    errors = []

    def run():
        try:
            notice_send_now(notice.pk)
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    notice.refresh_from_db()
    assert len(mail.outbox) == 1
    assert notice.attempts == 1
    assert notice.status == NoticeStatus.SENT


@pytest.mark.parametrize(
    ("attempts", "expected"), [(1, 30), (2, 60), (3, 120), (5, 480), (6, 900), (20, 900)]
)
def test_retry_backoff_doubles_and_is_capped(attempts, expected, settings):
    settings.NOTICE_RETRY_BASE_SECONDS = 30
    settings.NOTICE_RETRY_MAX_SECONDS = 900
    assert retry_delay(attempts) == expected


@pytest.fixture
def eager_retries(monkeypatch):
    """Eager Celery runs each self.retry at once (no countdown) through the same task code;
    propagating would stop at the first Retry instead of following the chain as a worker does."""
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


def test_mail_server_down_retries_then_marks_failed(
    referral, settings, django_capture_on_commit_callbacks, eager_retries
):
    settings.EMAIL_BACKEND = "tests.feedback.backends.DownBackend"
    settings.NOTICE_MAX_ATTEMPTS = 4
    with django_capture_on_commit_callbacks(execute=True):
        notice = queue_ack(referral)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED
    assert notice.attempts == 4
    # Only the error's class: provider messages can echo the address.
    assert notice.last_error == "ConnectionRefusedError"
    assert mail.outbox == []
    # Failed is final: neither the task nor the sweep sends it.
    notice_send.delay(notice.pk)
    assert notices_requeue_due(now=timezone.now() + timedelta(hours=1)) == 0
    notice.refresh_from_db()
    assert notice.attempts == 4


def test_a_temporary_failure_is_retried_and_then_sent(
    referral, settings, django_capture_on_commit_callbacks, eager_retries
):
    settings.EMAIL_BACKEND = "tests.feedback.backends.FlakyBackend"
    FlakyBackend.reset(failures=2)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        notice = queue_ack(referral)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert notice.attempts == 3
    assert notice.last_error == ""
    assert notice.next_try_at >= before + timedelta(seconds=retry_delay(2))
    assert len(mail.outbox) == 1


def test_retry_records_the_next_try_time(referral, settings):
    settings.EMAIL_BACKEND = "tests.feedback.backends.DownBackend"
    notice = notice_queue(kind="acknowledgement", subject="s", body="b",
                          recipient_email="x@example.org", referral=referral,
                          send_after_commit=False)
    now = timezone.now()
    delay = notice_send_now(notice.pk, now=now)
    notice.refresh_from_db()
    assert delay == retry_delay(1)
    assert notice.status == NoticeStatus.PENDING
    assert notice.next_try_at == now + timedelta(seconds=delay)


def _pending(referral, *, minutes_ago: int, channel=Channel.EMAIL):
    # notice_queue writes at the present: a message lost minutes ago needs its time set.
    return Notice.objects.create(  # planted: written `minutes_ago`
        kind="acknowledgement", subject="s", body="b", recipient=referral.referrer,
        recipient_email=referral.referrer.email, referral=referral, channel=channel,
        next_try_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_sweep_requeues_only_notices_overdue_by_the_setting(referral, settings):
    settings.NOTICE_REQUEUE_AFTER_MINUTES = 5
    lost = _pending(referral, minutes_ago=6)
    recent = _pending(referral, minutes_ago=2)
    assert notices_requeue_due(now=timezone.now()) == 1
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert lost.status == NoticeStatus.SENT
    assert recent.status == NoticeStatus.PENDING
    assert len(mail.outbox) == 1


def test_sweep_batch_is_bounded(referral, settings):
    settings.NOTICE_REQUEUE_BATCH = 2
    for _ in range(5):
        _pending(referral, minutes_ago=30)
    assert notices_requeue_due(now=timezone.now()) == 2
    assert Notice.objects.filter(status=NoticeStatus.PENDING).count() == 3
    assert notices_requeue.delay().get() == 2  # the beat task runs the same service
    assert Notice.objects.filter(status=NoticeStatus.PENDING).count() == 1


def test_requeue_is_on_the_beat_schedule_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["feedback-notices-requeue"]
    assert entry["schedule"] == 60.0
    assert entry["task"] in app.tasks
    assert app.tasks[entry["task"]].name == notices_requeue.name == "feedback.tasks.notices_requeue"


def test_portal_notice_is_marked_sent_without_email(referral, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = queue_ack(referral, channel=Channel.PORTAL)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert mail.outbox == []


def test_dedupe_key_writes_one_notice(referral):
    built = Notice.objects.count()  # the submission's own
    assert queue_ack(referral, dedupe_key="k1") is not None
    assert queue_ack(referral, dedupe_key="k1") is None
    assert Notice.objects.count() == built + 1
