"""/readyz against a real worker and beat (no eager mode): the worker records its heartbeat
and beat's first deadlines sweep (through the task signals in ops.sweeps), and logs JSON lines
with task ids; readiness turns 200, then 503 once the worker stops and its heartbeat ages."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from ops.models import Heartbeat, SweepRun
from tests.ops.test_worker import ROOT, _database_url

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
WAIT_SECONDS = 90


def test_readiness_follows_a_real_worker_and_beat(tmp_path, client, settings):
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    node = f"ready-test-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": "worker-test-" + "w" * 40,
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": os.environ["REDIS_URL"],
        "HEARTBEAT_SECONDS": "1",
        # On Redis, beat is celery-redbeat (the default there): a lock of this test's own, so a
        # beat another run left holding the shared lock (until it expires) cannot hold this up.
        "REDBEAT_KEY_PREFIX": f"redbeat:{node}:",
        "PORTAL_VAR_DIR": str(tmp_path),
        "LOG_FORMAT": "json",
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "-B", "-n", node,
             "--pool=solo", "--loglevel=INFO", f"--schedule={tmp_path / 'celerybeat-schedule'}"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            while time.monotonic() < deadline:
                if (Heartbeat.objects.filter(worker=node).exists()
                        and SweepRun.objects.filter(task="pathways.tasks.deadlines_sweep")
                        .exists()):
                    break
                assert process.poll() is None, log_path.read_text()[-3000:]
                time.sleep(0.5)
            else:
                pytest.fail(f"no heartbeat and sweep in {WAIT_SECONDS}s:\n"
                            f"{log_path.read_text()[-3000:]}")
            ready = client.get("/readyz", HTTP_ACCEPT="application/json")
            assert ready.status_code == 200, ready.content
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    sweep = SweepRun.objects.get(task="pathways.tasks.deadlines_sweep")
    assert 0 <= sweep.duration_seconds < 30
    # The worker's own log lines are JSON, with the task's id on task lines.
    lines = [json.loads(line) for line in log_path.read_text().splitlines()
             if line.startswith("{")]
    assert any(line.get("event") == "task_succeeded" and line.get("task_id") for line in lines)
    # The worker has stopped: once its heartbeat is older than 90 s, readiness fails.
    Heartbeat.objects.update(beat_at=timezone.now() - timedelta(seconds=91))
    assert client.get("/readyz").status_code == 503
