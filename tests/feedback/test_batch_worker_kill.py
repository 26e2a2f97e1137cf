"""A real Celery worker child killed (SIGKILL) in the middle of a batch of notices, before
anything was delivered: acks_late and reject_on_worker_lost put the batch back, and every
notice of it is sent exactly once (the one-notice task's test is tests/security/test_faults.py).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from feedback.models import Channel, Notice, NoticeStatus
from portal.celery import app

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 90


def database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return (f"postgres://{s['USER'] or 'postgres'}{password}@{s['HOST'] or '127.0.0.1'}:"
            f"{s['PORT'] or '5432'}/{s['NAME']}")


def wait_for(predicate, what, log_path):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    log = log_path.read_text()[-4000:] if log_path.exists() else ""
    pytest.fail(f"timed out waiting for {what}\n{log}")


def make_notice(user, kind):
    return Notice.objects.create(kind=kind, subject="Update on a referral", body="An update.",
                                 recipient=user, recipient_email=user.email,
                                 channel=Channel.EMAIL)


@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_sends_each_notice_exactly_once(tmp_path, referrer):
    broker = os.environ["REDIS_URL"]
    redis.Redis.from_url(broker).flushdb()  # this helper's own Redis database only
    batch = [make_notice(referrer, f"fault:batch:{i}") for i in range(3)]
    sentinel = make_notice(referrer, "fault:sentinel")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker,
        "EMAIL_BACKEND": "tests.security.fault_backends.HangOnceBackend",
        "FAULT_DIR": str(tmp_path),
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    log_path = tmp_path / "worker.log"
    log = log_path.open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=prefork",
         "--concurrency=1", "--loglevel=INFO", "-n", f"batch-fault-{os.getpid()}@localhost"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    ids = [notice.pk for notice in batch]
    try:
        with app.connection_for_write(broker) as conn:
            app.send_task("feedback.tasks.notices_send", args=[ids], connection=conn)
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
        with app.connection_for_write(broker) as conn:
            app.send_task("feedback.tasks.notices_send", args=[ids], connection=conn)
            app.send_task("feedback.tasks.notices_send", args=[[sentinel.pk]], connection=conn)
        wait_for(lambda: Notice.objects.get(pk=sentinel.pk).status == NoticeStatus.SENT,
                 "the sentinel", log_path)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()
    sent = (tmp_path / "sent.log").read_text().split()
    assert sent == [str(pk) for pk in [*ids, sentinel.pk]]
    worker_log = log_path.read_text()
    assert "WorkerLostError" in worker_log or "signal 9" in worker_log
    # The killed attempt's transaction never committed: one attempt on record for each.
    assert set(Notice.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {1}
