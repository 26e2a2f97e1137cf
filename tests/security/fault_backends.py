"""The fault harness: email backends that record what really left the building, a private
redis-server to stop and flush, and a real Celery worker process.

The email backends run inside a real Celery worker process (the worker imports this module by
its dotted path from EMAIL_BACKEND). They append the notice id of every delivered message to
FAULT_DIR/sent.log, which the tests read as "what the referrer or the manager received".

The Redis server is our own, on a spare loopback port, started and stopped by the test: the
shared Redis on 6379 (other engineers' tests, CI) is never stopped or flushed.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 90


def _record(messages) -> None:
    with (Path(os.environ["FAULT_DIR"]) / "sent.log").open("a") as log:
        for message in messages:
            log.write(f"{message.extra_headers.get('X-Portal-Notice', '?')}\n")


class RecordingBackend(BaseEmailBackend):
    """Every delivered email: its notice id, one line each, in FAULT_DIR/sent.log."""

    def send_messages(self, messages):
        _record(messages)
        return len(messages)


class HangOnceBackend(BaseEmailBackend):
    """The first send (ever, per FAULT_DIR) records the worker child's pid and hangs, so the
    test can kill that process mid-task before anything is delivered; later sends record."""

    def send_messages(self, messages):
        marker = Path(os.environ["FAULT_DIR"]) / "hung.pid"
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            time.sleep(300)  # killed long before this ends
        _record(messages)
        return len(messages)


def sent_ids(folder: Path) -> list[int]:
    """Notice ids delivered so far, in order, duplicates kept (that is what we count)."""
    log = folder / "sent.log"
    return [int(line) for line in log.read_text().split()] if log.exists() else []


def wait_for(predicate, what: str, log_path: Path | None = None, seconds: float = WAIT_SECONDS):
    """Poll until `predicate()` is true; fail with the worker's log tail if it never is."""
    import pytest

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    log = log_path.read_text()[-4000:] if log_path and log_path.exists() else ""
    pytest.fail(f"timed out waiting for {what}\n{log}")


def database_url() -> str:
    """The test database, for a worker process."""
    from django.db import connection

    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return (f"postgres://{s['USER'] or 'postgres'}{password}@{s['HOST'] or '127.0.0.1'}:"
            f"{s['PORT'] or '5432'}/{s['NAME']}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A throwaway redis-server of our own (no persistence: a restart or FLUSHALL loses every
    queued message, which is the fault under test)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except Exception:  # not listening yet
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def queued(self, queue: str = "celery") -> int:
        """Messages waiting in the queue (not those a worker holds unacknowledged)."""
        return self.client().llen(queue)

    def flushall(self) -> None:
        assert self.port != 6379, "never flush the shared Redis"
        self.client().flushall()


@contextmanager
def private_redis():
    import pytest

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def celery_app_on(broker_url: str):
    """Point the project's Celery app (in this process) at `broker_url`, not eager: a request
    or service here publishes to the real broker, as in production."""
    from portal.celery import app

    keys = ("broker_url", "task_always_eager", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}

    def reset_pools():
        app.amqp._producer_pool = None
        app._pool = None

    app.conf.update(broker_url=broker_url, task_always_eager=False,
                    broker_transport_options={"visibility_timeout": 3600})
    reset_pools()
    try:
        yield app
    finally:
        app.conf.update(saved)
        reset_pools()


def send_task(broker_url: str, name: str, *args) -> None:
    """Publish a task by name to `broker_url`, as beat would (send_task always publishes,
    even while the test settings make the app eager: that is the point here)."""
    import warnings

    from celery.exceptions import AlwaysEagerIgnored

    from portal.celery import app

    with warnings.catch_warnings(), app.connection_for_write(broker_url) as conn:
        warnings.simplefilter("ignore", AlwaysEagerIgnored)
        app.send_task(name, args=list(args), connection=conn)


@contextmanager
def celery_worker(folder: Path, broker_url: str, backend: str = "RecordingBackend",
                  extra_env: dict | None = None):
    """A real `celery worker` process (prefork, one child, so messages run in order) on the
    test database, with an email backend from this module. Yields the worker's Popen; its log
    is folder/worker.log."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_BACKEND": f"tests.security.fault_backends.{backend}",
        "FAULT_DIR": str(folder),
        "PORTAL_VAR_DIR": str(folder),
        **(extra_env or {}),
    }
    log_path = folder / "worker.log"
    log = log_path.open("a")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=prefork",
         "--concurrency=1", "--loglevel=INFO", "-n", f"fault-{os.getpid()}-{time.time_ns()}@localhost"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        yield worker
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()
