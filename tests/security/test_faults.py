"""Faults against the real services.

- A Celery worker child killed (SIGKILL) in the middle of sending a notice: acks_late and
  reject_on_worker_lost put the message back, the notice is sent exactly once.
- The PostgreSQL connection lost in the middle of a submission: a clean error page, and no
  partial referral (ATOMIC_REQUESTS rolls the whole request back).

The broker faults, the claims and the clock change are in test_faults_*.py beside this file;
docs/security.md "Faults" has the table of which test proves what. The harness (a private
redis-server, a real worker, email backends that count deliveries) is fault_backends.py.
"""

import os
import re
import signal

import psycopg2
import pytest
from django.db import connection
from django.urls import reverse

from core.vocabulary import Status
from outbox.models import Channel, Notice, NoticeStatus
from outbox.write import notice_queue
from referrals.models import Referral
from tests.conftest import otp_login
from tests.referrals.factories import ADULT_ANSWERS

from .fault_backends import (
    celery_worker,
    database_url,
    private_redis,
    send_task,
    sent_ids,
    wait_for,
)


def make_notice(user, kind):
    return notice_queue(kind=kind, subject="Update on a referral", body="An update.",
                        recipient=user, recipient_email=user.email, channel=Channel.EMAIL,
                        send_after_commit=False)


@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_sends_the_notice_exactly_once(tmp_path, referrer):
    first = make_notice(referrer, "fault:first")
    sentinel = make_notice(referrer, "fault:sentinel")
    with private_redis() as redis, celery_worker(tmp_path, redis.url,
                                                 backend="HangOnceBackend") as worker:
        log_path = tmp_path / "worker.log"
        send_task(redis.url, "feedback.tasks.notice_send", first.pk)
        hung = tmp_path / "hung.pid"
        wait_for(hung.exists, "the first send to start", log_path)
        child = int(hung.read_text())
        assert child != worker.pid
        os.kill(child, signal.SIGKILL)  # mid-task: the row is locked, nothing delivered yet

        def status(notice):
            return Notice.objects.get(pk=notice.pk).status

        wait_for(lambda: status(first) == NoticeStatus.SENT, "the redelivered send", log_path)
        # A duplicate message (a second sweep, a replay) and then a sentinel behind it: the
        # single worker process takes them in order, so once the sentinel is sent the
        # duplicate has been handled.
        send_task(redis.url, "feedback.tasks.notice_send", first.pk)
        send_task(redis.url, "feedback.tasks.notice_send", sentinel.pk)
        wait_for(lambda: status(sentinel) == NoticeStatus.SENT, "the sentinel", log_path)
    assert sent_ids(tmp_path) == [first.pk, sentinel.pk]
    worker_log = log_path.read_text()
    assert "WorkerLostError" in worker_log or "signal 9" in worker_log
    first.refresh_from_db()
    # The killed attempt's transaction never committed: one attempt on record.
    assert (first.status, first.attempts) == (NoticeStatus.SENT, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_losing_the_database_mid_submission_leaves_no_partial_referral(client, referrer,
                                                                     mfa_enforced):
    otp_login(client, referrer)
    client.raise_request_exception = False
    # Walk to "check your answers" normally.
    response = client.post(reverse("referrals:start"), {"urgent": "no"})
    while not response["Location"].endswith("/check/"):
        url = response["Location"]
        key = url.rstrip("/").split("/")[-1]
        response = client.post(url, {**ADULT_ANSWERS.get(key, {}), "action": "continue"})
        assert response.status_code == 302
    check_url = response["Location"]
    page = client.get(check_url).content.decode()
    submission_key = re.search(r'name="submission_key" value="([0-9a-f-]+)"', page).group(1)
    referral = Referral.objects.get(referrer=referrer)
    notices_before = Notice.objects.count()

    pid = connection.cursor().connection.get_backend_pid()
    killer = psycopg2.connect(database_url())
    killer.autocommit = True
    killed = []

    def cut_the_line(execute, sql, params, many, context):
        # Once the submission has changed the referral and starts writing its notices, the
        # database goes away (as a failover or a network cut would do).
        if not killed and sql.startswith('INSERT INTO "feedback_notice"'):
            killed.append(sql)
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(cut_the_line):
            response = client.post(check_url, {"submission_key": submission_key})
    finally:
        killer.close()
        connection.close()  # the next query reconnects

    assert killed, "the submission reached the notice insert"
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, there is a problem with the service" in body
    assert "Traceback" not in body and "Mary Example" not in body
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT and not referral.reference
    assert Notice.objects.count() == notices_before
    # And it can be submitted once the database is back.
    otp_login(client, referrer)
    client.post(check_url, {"submission_key": submission_key})
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
