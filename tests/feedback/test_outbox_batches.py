"""Sending notices in batches (docs/decisions/0007): one task, one transaction, one email
connection and one commit for up to NOTICE_SEND_BATCH notices, with each notice's failure kept
to itself, and the guarantees of one-at-a-time sending unchanged."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback.models import FeedbackRecord
from feedback.services import feedback_owe
from outbox import tasks
from outbox.dispatch import notices_enqueue
from outbox.models import Channel, Notice, NoticeStatus
from outbox.send import notices_send_now, retry_delay
from outbox.tasks import notices_send
from outbox.write import notice_queue, referrer_notify
from portal.celery import app

from .backends import CountingBackend, RefusesOneAddressBackend
from .factories import referral_acknowledged

REFUSED = RefusesOneAddressBackend.refused


def pending_notices(referral, count: int, *, emails=None) -> list[Notice]:
    emails = emails or [f"person{i}@example.org" for i in range(count)]
    return [
        notice_queue(kind="acknowledgement", subject=f"Update {i}", body="An update.",
                     recipient_email=email, referral=referral, channel=Channel.EMAIL,
                     send_after_commit=False)
        for i, email in enumerate(emails)
    ]


def ids(notices) -> list[int]:
    return [notice.pk for notice in notices]


@pytest.fixture
def task_calls(monkeypatch):
    """The batches handed to the broker (the tasks still run: eager in tests)."""
    calls = []
    original = notices_send.apply_async

    def spy(args=None, kwargs=None, **options):
        calls.append((list(args[0]), options.get("countdown")))
        return original(args=args, kwargs=kwargs, **options)

    monkeypatch.setattr(notices_send, "apply_async", spy)
    return calls


def test_a_batch_is_sent_through_one_email_connection(referral, settings):
    settings.EMAIL_BACKEND = "tests.feedback.backends.CountingBackend"
    CountingBackend.opened = 0
    notices = pending_notices(referral, 5)
    assert notices_send_now(ids(notices)) == {}
    assert CountingBackend.opened == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(n.recipient_email for n in notices)
    assert set(Notice.objects.values_list("status", "attempts")) == {(NoticeStatus.SENT, 1)}
    # Each email names its own notice (what the worker-kill tests read).
    assert sorted(int(m.extra_headers["X-Portal-Notice"]) for m in mail.outbox) == ids(notices)


def test_queries_do_not_grow_with_the_batch(referral):
    """The point of batching: locking, marking sent and committing cost the same for 2
    notices as for 10 (one-at-a-time sending cost two queries and a commit per notice)."""
    small, large = pending_notices(referral, 2), pending_notices(referral, 10)
    with CaptureQueriesContext(connection) as two:
        notices_send_now(ids(small))
    with CaptureQueriesContext(connection) as ten:
        notices_send_now(ids(large))
    assert len(mail.outbox) == 12
    assert len(ten) == len(two) <= 4  # lock, one UPDATE (+ savepoint and release in a test)


def test_one_refused_notice_neither_blocks_nor_resends_the_others(referral, settings):
    settings.EMAIL_BACKEND = "tests.feedback.backends.RefusesOneAddressBackend"
    now = timezone.now()
    notices = pending_notices(referral, 4, emails=["a@example.org", REFUSED, "c@example.org",
                                                   "d@example.org"])
    refused = notices[1]
    assert notices_send_now(ids(notices), now=now) == {refused.pk: retry_delay(1)}
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "c@example.org",
                                                    "d@example.org"]
    refused.refresh_from_db()
    assert (refused.status, refused.attempts, refused.last_error) == (
        NoticeStatus.PENDING, 1, "ConnectionResetError")
    assert refused.next_try_at == now + timedelta(seconds=retry_delay(1))
    # The same batch again (a duplicate message): only the refused notice is tried again.
    notices_send_now(ids(notices), now=now)
    assert len(mail.outbox) == 3
    assert Notice.objects.filter(pk__in=ids(notices), status=NoticeStatus.SENT).count() == 3
    refused.refresh_from_db()
    assert refused.attempts == 2


def test_the_batch_task_retries_only_the_failed_notice_then_fails_it(
    referral, settings, task_calls, monkeypatch
):
    settings.EMAIL_BACKEND = "tests.feedback.backends.RefusesOneAddressBackend"
    settings.NOTICE_MAX_ATTEMPTS = 3
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)
    notices = pending_notices(referral, 3, emails=["a@example.org", REFUSED, "c@example.org"])
    notices_enqueue(ids(notices))
    # The batch, then the refused notice alone with its backoff, until it is failed.
    assert task_calls == [(ids(notices), None), ([notices[1].pk], retry_delay(1)),
                          ([notices[1].pk], retry_delay(2))]
    statuses = dict(Notice.objects.filter(pk__in=ids(notices)).values_list("pk", "status"))
    assert statuses == {notices[0].pk: NoticeStatus.SENT, notices[1].pk: NoticeStatus.FAILED,
                        notices[2].pk: NoticeStatus.SENT}
    assert Notice.objects.get(pk=notices[1].pk).attempts == 3
    assert len(mail.outbox) == 2


def test_enqueue_splits_into_batches_of_the_setting(referral, settings, task_calls):
    settings.NOTICE_SEND_BATCH = 2
    notices = pending_notices(referral, 5)
    notices_enqueue(ids(notices))
    assert [batch for batch, _ in task_calls] == [ids(notices[:2]), ids(notices[2:4]),
                                                  ids(notices[4:])]
    assert Notice.objects.filter(pk__in=ids(notices), status=NoticeStatus.SENT).count() == 5


def test_the_notices_of_one_change_go_in_one_task(
    referral, task_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notices = referrer_notify(referral=referral, kind="acknowledgement")
    assert len(callbacks) == 1
    assert task_calls == [(ids(notices), None)]
    assert {n.channel for n in notices} == {Channel.EMAIL, Channel.PORTAL}
    assert set(Notice.objects.values_list("status", flat=True)) == {NoticeStatus.SENT}
    assert len(mail.outbox) == 1


def test_a_rolled_back_change_queues_no_batch(referral, task_calls,
                                              django_capture_on_commit_callbacks):
    built = set(Notice.objects.values_list("pk", flat=True))  # the submission's own
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            referrer_notify(referral=referral, kind="acknowledgement")
            1 / 0  # noqa: B018 - the change fails after its notices were written
    assert callbacks == [] and task_calls == []
    assert not Notice.objects.exclude(pk__in=built).exists()


def test_feedback_is_given_only_when_its_email_is_sent(referral, settings):
    settings.EMAIL_BACKEND = "tests.feedback.backends.DownBackend"
    # No commit in this test, so nothing is sent until the batch below.
    record = feedback_owe(referral=referral, kind="decision", outcome_text="No further action")
    email = Notice.objects.get(feedback_record=record, channel=Channel.EMAIL)
    portal = Notice.objects.get(feedback_record=record, channel=Channel.PORTAL)
    assert notices_send_now([portal.pk, email.pk]) == {email.pk: retry_delay(1)}
    record.refresh_from_db()
    assert record.given_at is None  # the portal notice alone does not give it, nor a failure
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notices_send_now([email.pk]) == {}
    record.refresh_from_db()
    assert record.given_at is not None
    assert FeedbackRecord.objects.filter(given_at__isnull=True).count() == 0


def test_no_personal_data_in_the_batch_task_arguments(referral, task_calls):
    notices = pending_notices(referral, 2)
    notices_enqueue(ids(notices))
    for batch, _ in task_calls:
        assert all(type(notice_id) is int for notice_id in batch)


@pytest.mark.django_db(transaction=True)
def test_overlapping_batches_at_once_send_each_notice_once(referrer, assignee, settings):
    """Two workers handed overlapping batches: each notice's row lock lets one send it; the
    other skips it (SKIP LOCKED) or finds it sent."""
    settings.EMAIL_BACKEND = "tests.feedback.backends.SlowBackend"
    referral = referral_acknowledged(referrer=referrer, assignee=assignee)
    notices = pending_notices(referral, 3)
    errors = []

    def run(batch):
        try:
            notices_send_now(batch)
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    batches = [ids(notices), ids(notices)[::-1], ids(notices[1:])]
    threads = [threading.Thread(target=run, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(n.recipient_email for n in notices)
    assert set(Notice.objects.values_list("status", "attempts")) == {(NoticeStatus.SENT, 1)}


def test_notice_send_is_the_same_code_for_one_id(referral):
    [notice] = pending_notices(referral, 1)
    tasks.notice_send.delay(notice.pk)
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (NoticeStatus.SENT, 1)
    assert len(mail.outbox) == 1
