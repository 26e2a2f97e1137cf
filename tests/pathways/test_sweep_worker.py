"""The sweep through a real Celery worker process on Redis, as beat would send it.

Needs REDIS_URL (skipped with the reason printed otherwise) and PostgreSQL: the worker is a
separate process reading and writing the test database.
"""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from outbox.models import Notice, NoticeStatus
from pathways.deadlines import deadline_open
from pathways.models import Deadline

from .conftest import ldt

pytestmark = [
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ROOT = Path(__file__).resolve().parents[2]


def wait_for(check, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def worker(tmp_path):
    """A `celery -A portal worker` process on its own queue, against the test database."""
    queue = f"clocks-test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": os.environ["REDIS_URL"],
    }
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield queue, log_path
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_beat_sweep_runs_on_a_real_worker(make_bare_referral, oppd_people, worker):
    from portal.celery import app
    from referrals.tasks import deadlines_sweep

    queue, log_path = worker
    breached = make_bare_referral("oppd")
    deadline_open(referral=breached, kind="concern_decision", starts=ldt(2026, 3, 2, 10, 0))
    later = make_bare_referral("mash")
    deadline_open(referral=later, kind="mash_decision", starts=ldt(2026, 3, 3, 10, 0))

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # send through Redis, not in this process
    try:
        # Monday 17:00: the concern decision breaches (the MASH clock starts on Tuesday).
        deadlines_sweep.apply_async(args=[ldt(2026, 3, 2, 17, 0).isoformat()], queue=queue)
        done = wait_for(lambda: Deadline.objects.filter(breached_at__isnull=False).exists())
        assert done, "the worker never swept:\n" + log_path.read_text()
        # The same minute again, then Tuesday 16:00 (the MASH warning point), in order.
        deadlines_sweep.apply_async(args=[ldt(2026, 3, 2, 17, 0).isoformat()], queue=queue)
        deadlines_sweep.apply_async(args=[ldt(2026, 3, 3, 16, 0).isoformat()], queue=queue)
        done = wait_for(
            lambda: Deadline.objects.filter(referral=later, warned_at__isnull=False).exists()
        )
        assert done, "the worker never ran the later sweeps:\n" + log_path.read_text()
    finally:
        app.conf.task_always_eager = eager

    concern = Deadline.objects.get(referral=breached)
    assert concern.breached_at == ldt(2026, 3, 2, 17, 0)
    # The manager and the duty manager, by email and in the portal: once each, not twice.
    assert Notice.objects.filter(kind="deadline_breach").count() == 4
    # The worker sent them after commit, through feedback's notice task.
    assert wait_for(
        lambda: (
            not Notice.objects.exclude(status=NoticeStatus.SENT)
            .filter(kind="deadline_breach")
            .exists()
        ),
        timeout=20,
    )
    # All three runs went through the worker process (none ran eagerly in this one).
    log = log_path.read_text()
    runs = re.findall(r"Task pathways\.tasks\.deadlines_sweep\[[-0-9a-f]+\] succeeded in .*", log)
    assert len(runs) == 3, log
    assert "'breached': 0" in runs[1] and "'notices': 0" in runs[1]  # the rerun changed nothing
