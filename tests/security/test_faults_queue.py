"""Faults in the broker: Redis flushed with notices queued, and a double submit while Redis is
down. A private redis-server (tests/security/fault_backends.py), a real `celery worker`
process, the real PostgreSQL; every email the worker delivers is recorded in a file, so
"exactly once" is counted, not inferred from a status column.
"""

import re
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from outbox.models import Channel, Notice, NoticeStatus
from outbox.write import notice_queue
from pathways.models import Deadline
from referrals import services
from referrals.models import Referral, ReferralEvent
from tests.conftest import otp_login
from tests.referrals.factories import complete_draft

from .fault_backends import (
    celery_app_on,
    celery_worker,
    private_redis,
    send_task,
    sent_ids,
    wait_for,
)

pytestmark = [pytest.mark.redis, pytest.mark.worker, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True)]

REQUEUE = "feedback.tasks.notices_requeue"


def submit(referrer) -> Referral:
    """A referral submitted through the submission service, committed: its acknowledgement
    notices are handed to the broker after commit, as in a request."""
    draft = complete_draft(referrer)
    with transaction.atomic():
        return services.referral_submit(referral=draft, actor=referrer,
                                        submission_key=uuid.uuid4())


def email_notices(referrals) -> list[Notice]:
    return list(Notice.objects.filter(referral__in=referrals, channel=Channel.EMAIL)
                .order_by("pk"))


def requeue_later(broker_url: str, minutes: int) -> None:
    """The requeue beat task, by name, through the broker, as beat sends it; `now` is moved on
    past NOTICE_REQUEUE_AFTER_MINUTES so notices queued a moment ago count as stuck."""
    send_task(broker_url, REQUEUE, (timezone.now() + timedelta(minutes=minutes)).isoformat())


def sentinel_sent(broker_url: str, user, log_path) -> Notice:
    """A last notice behind everything else in the queue: the single worker process takes
    messages in order, so once it is sent every earlier message (duplicates included) has
    been handled, and counting deliveries is final."""
    with transaction.atomic():
        sentinel = notice_queue(kind="fault:sentinel", subject="Sentinel", body="Last one.",
                                recipient=user)
    wait_for(lambda: Notice.objects.get(pk=sentinel.pk).status == NoticeStatus.SENT,
             "the sentinel notice", log_path)
    return sentinel


def test_redis_flushed_with_notices_queued_every_notice_sent_exactly_once(tmp_path, referrer):
    log_path = tmp_path / "worker.log"
    with private_redis() as redis, celery_app_on(redis.url):
        # Before the fault: a referral whose acknowledgement went out normally.
        with celery_worker(tmp_path, redis.url):
            before = submit(referrer)
            wait_for(lambda: not Notice.objects.filter(referral=before,
                                                       status=NoticeStatus.PENDING).exists(),
                     "the first acknowledgement", log_path)
        # No worker now: three submissions queue their notices in Redis, unsent.
        queued = [submit(referrer) for _ in range(3)]
        pending = Notice.objects.filter(referral__in=queued)
        assert pending.count() == 6  # an email and a portal notice each
        assert set(pending.values_list("status", flat=True)) == {NoticeStatus.PENDING}
        # The outbox hands each change's notices to the broker as one batch message.
        assert redis.queued() == 3

        redis.flushall()  # the fault: every queued message is gone
        assert redis.queued() == 0

        with celery_worker(tmp_path, redis.url):
            # The beat task finds them in the outbox. Run it twice, as two beats a minute
            # apart would while the first batch is still in the queue: the second hands the
            # broker duplicates, which must not become second emails.
            requeue_later(redis.url, 10)
            requeue_later(redis.url, 20)
            wait_for(lambda: not pending.filter(status=NoticeStatus.PENDING).exists(),
                     "the requeued notices to be sent", log_path)
            requeue_later(redis.url, 60)  # nothing left to requeue
            sentinel = sentinel_sent(redis.url, referrer, log_path)

    expected = [n.pk for n in email_notices([before, *queued])] + [sentinel.pk]
    delivered = sent_ids(tmp_path)
    assert sorted(delivered) == sorted(expected)  # none lost, none twice
    assert len(delivered) == len(set(delivered)) == 5
    notices = Notice.objects.filter(referral__in=[before, *queued])
    assert set(notices.values_list("status", "attempts")) == {(NoticeStatus.SENT, 1)}


def check_page_key(client, referral) -> tuple[str, str]:
    url = reverse("referrals:check", args=[referral.pk])
    page = client.get(url).content.decode()
    return url, re.search(r'name="submission_key" value="([0-9a-f-]+)"', page).group(1)


def test_double_submit_while_redis_is_down_makes_one_referral_and_one_email(
        tmp_path, referrer, mfa_enforced):
    log_path = tmp_path / "worker.log"
    draft = complete_draft(referrer)
    first = otp_login(Client(), referrer)
    url, key = check_page_key(first, draft)
    # The same browser, two requests: a double click on "Submit", or a refresh.
    second = Client()
    second.cookies.load({name: morsel.value for name, morsel in first.cookies.items()})
    responses, errors = [], []
    barrier = threading.Barrier(2)

    def post(client):
        try:
            barrier.wait()
            responses.append(client.post(url, {"submission_key": key}))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    with private_redis() as redis, celery_app_on(redis.url):
        redis.stop()  # Redis is down for the whole submission
        threads = [threading.Thread(target=post, args=(c,)) for c in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        confirmation = reverse("referrals:confirmation", args=[draft.pk])
        assert sorted((r.status_code, r["Location"]) for r in responses) == [
            (302, confirmation), (302, confirmation)]

        # One referral, one reference, one of everything the submission writes.
        referrals = Referral.objects.filter(referrer=referrer)
        assert referrals.count() == 1
        referral = referrals.get()
        assert referral.status == "submitted" and referral.reference
        assert ReferralEvent.objects.filter(referral=referral, kind="submitted").count() == 1
        assert AuditEvent.objects.filter(action="referral.submitted",
                                         referral_id=referral.pk).count() == 1
        assert Deadline.objects.filter(referral=referral).count() == 1
        acknowledgements = Notice.objects.filter(referral=referral, kind="acknowledgement")
        assert sorted(acknowledgements.values_list("channel", "status")) == [
            (Channel.EMAIL, NoticeStatus.PENDING), (Channel.PORTAL, NoticeStatus.PENDING)]
        email = acknowledgements.get(channel=Channel.EMAIL)

        redis.start()  # back, empty: whatever the requests tried to queue never arrived
        with celery_worker(tmp_path, redis.url):
            requeue_later(redis.url, 10)
            wait_for(lambda: not acknowledgements.filter(status=NoticeStatus.PENDING).exists(),
                     "the acknowledgement after Redis returned", log_path)
            requeue_later(redis.url, 60)
            sentinel = sentinel_sent(redis.url, referrer, log_path)

    assert sent_ids(tmp_path) == [email.pk, sentinel.pk]
    email.refresh_from_db()
    assert (email.status, email.attempts) == (NoticeStatus.SENT, 1)
