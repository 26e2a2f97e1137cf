"""A real Celery worker child killed (SIGKILL) in the middle of a batch of notices, before
anything was delivered: acks_late and reject_on_worker_lost put the batch back, and every
notice of it is sent exactly once (the one-notice task's test is tests/security/test_faults.py,
whose harness this uses: a private redis-server, a real worker, a recording email backend).
"""

import os
import signal

import pytest

from outbox.models import Notice, NoticeStatus
from tests.security.fault_backends import celery_worker, private_redis, send_task, wait_for
from tests.security.test_faults import make_notice


@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_sends_each_notice_exactly_once(tmp_path, referrer):
    batch = [make_notice(referrer, f"fault:batch:{i}") for i in range(3)]
    sentinel = make_notice(referrer, "fault:sentinel")
    ids = [notice.pk for notice in batch]
    log_path = tmp_path / "worker.log"
    with private_redis() as redis, celery_worker(tmp_path, redis.url,
                                                 backend="HangOnceBackend") as worker:
        send_task(redis.url, "feedback.tasks.notices_send", ids)
        hung = tmp_path / "hung.pid"
        wait_for(hung.exists, "the batch to start sending", log_path)
        child = int(hung.read_text())
        assert child != worker.pid
        # Mid-task: the batch's rows are locked, the first email is hanging, none delivered.
        os.kill(child, signal.SIGKILL)

        def statuses():
            return set(Notice.objects.filter(pk__in=ids).values_list("status", flat=True))

        wait_for(lambda: statuses() == {NoticeStatus.SENT}, "the redelivered batch", log_path)
        # The same batch again (a replay) and then a sentinel behind it: the single worker
        # process takes them in order, so once the sentinel is sent the replay was handled.
        send_task(redis.url, "feedback.tasks.notices_send", ids)
        send_task(redis.url, "feedback.tasks.notices_send", [sentinel.pk])
        wait_for(lambda: Notice.objects.get(pk=sentinel.pk).status == NoticeStatus.SENT,
                 "the sentinel", log_path)
    sent = (tmp_path / "sent.log").read_text().split()
    assert sent == [str(pk) for pk in [*ids, sentinel.pk]]
    worker_log = log_path.read_text()
    assert "WorkerLostError" in worker_log or "signal 9" in worker_log
    # The killed attempt's transaction never committed: one attempt on record for each.
    assert set(Notice.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {1}
