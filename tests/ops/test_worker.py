"""The run command's Celery set-up really works: a real worker and beat, no eager mode.

Each test starts `celery -A portal worker -B` as a subprocess against this test run's own
database (committed rows, hence transactional tests), with a one-second heartbeat, and waits
(bounded) for the heartbeat row the worker writes. The worker's node name is unique to the test,
so the row can only have come from that worker process.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from ops.models import Heartbeat

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 90


def _database_url() -> str:
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def _run_worker_until_heartbeat(tmp_path, broker_url: str) -> Heartbeat:
    node = f"heartbeat-test-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "portal.settings",  # the run command's settings, not tests'
        "DEBUG": "true",
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker_url,
        "HEARTBEAT_SECONDS": "1",
        # On Redis, beat is celery-redbeat (the default there): a lock of this test's own, so a
        # beat another run left holding the shared lock (until it expires) cannot hold this up.
        "REDBEAT_KEY_PREFIX": f"redbeat:{node}:",
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    if not broker_url.startswith("redis"):
        env.pop("REDIS_URL", None)
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "-B", "-n", node,
         "--pool=solo", "--loglevel=INFO",
         f"--schedule={tmp_path / 'celerybeat-schedule'}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            beat = Heartbeat.objects.filter(worker=node).first()
            if beat is not None and beat.count >= 2:
                return beat
            assert process.poll() is None, (
                f"worker exited early:\n{(tmp_path / 'worker.log').read_text()[-3000:]}"
            )
            time.sleep(0.5)
        pytest.fail(f"no heartbeat within {WAIT_SECONDS}s:\n"
                    f"{(tmp_path / 'worker.log').read_text()[-3000:]}")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_beat_and_worker_run_the_heartbeat_on_the_sqlite_broker(tmp_path):
    """The demo's transport: kombu's SQLAlchemy transport on a SQLite file, no Redis."""
    beat = _run_worker_until_heartbeat(tmp_path, f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}")

    assert beat.count >= 2  # beat scheduled it at least twice, the worker ran it each time
    assert (tmp_path / "broker.sqlite3").exists()


@pytest.mark.redis
def test_beat_and_worker_run_the_heartbeat_on_redis(tmp_path):
    beat = _run_worker_until_heartbeat(tmp_path, os.environ["REDIS_URL"])

    assert beat.count >= 2
