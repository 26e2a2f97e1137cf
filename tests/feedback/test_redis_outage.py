"""Redis stopped during a submission: the referral and its notices are saved, and the
acknowledgement is sent exactly once after Redis is back, by a real Celery worker, thanks to
the requeue sweep.

Runs against a Redis server of its own on a spare loopback port (stopping the shared one would
break everyone else's tests), and an in-process Celery worker consuming from it.
"""

import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction
from django.utils import timezone

from outbox.dispatch import notices_requeue_due
from outbox.models import Channel, Notice, NoticeStatus
from outbox.tasks import notice_send
from outbox.write import notice_queue
from portal.celery import app
from referrals.models import Referral

from .factories import referral_make

pytestmark = [pytest.mark.redis, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A throwaway redis-server (no persistence: a restart loses every queued message, which
    is the point)."""

    def __init__(self, port: int):
        self.port = port
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def celery_on(redis_server, settings, monkeypatch):
    """Point the project's Celery app at our Redis, not eager: the code path of production."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    # Close the worker thread's connection after each task so the test database can be
    # flushed and dropped afterwards.
    monkeypatch.setitem(settings.DATABASES["default"], "CONN_MAX_AGE", 0)
    app.conf.update(broker_url=redis_server.url, task_always_eager=False,
                    broker_connection_retry=True, broker_connection_max_retries=None)
    app.amqp._producer_pool = None
    app._pool = None
    yield redis_server
    app.conf.update(saved)
    app.amqp._producer_pool = None
    app._pool = None


def wait_for(condition, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_acknowledgement_survives_redis_down_during_submission(celery_on, referrer, assignee):
    redis = celery_on
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20,
                      loglevel="WARNING"):
        redis.stop()

        # The submission: referral saved and acknowledgement queued in one transaction.
        # Handing the notice to the broker fails after commit; the request must not.
        with transaction.atomic():
            referral = referral_make(referrer=referrer, assignee=assignee)
        assert Referral.objects.filter(pk=referral.pk, status="submitted").exists()
        notices = Notice.objects.filter(referral=referral, kind="acknowledgement")
        assert sorted(n.channel for n in notices) == [Channel.EMAIL, Channel.PORTAL]
        assert all(n.status == NoticeStatus.PENDING for n in notices)
        assert mail.outbox == []

        # Redis comes back empty: whatever was in flight is gone. The sweep finds the notices.
        redis.start()
        later = timezone.now() + timedelta(minutes=10)
        requeued = 0
        # The first publish after the restart can race the client's reconnection; the beat
        # would simply try again a minute later, so does this loop.
        for _ in range(10):
            requeued += notices_requeue_due(now=later)
            if requeued == 2:
                break
            later += timedelta(minutes=10)
            time.sleep(0.5)
        assert requeued == 2
        wait_for(lambda: not Notice.objects.filter(referral=referral,
                                                   status=NoticeStatus.PENDING).exists(),
                 what="the worker to send the requeued notices")

        email_notice = Notice.objects.get(referral=referral, channel=Channel.EMAIL)
        assert email_notice.status == NoticeStatus.SENT
        assert len(mail.outbox) == 1
        assert "received" in mail.outbox[0].subject

        # Exactly once: a later sweep has nothing to do, and a duplicate broker message (as
        # Redis redelivery would produce) is consumed without sending again.
        assert notices_requeue_due(now=later + timedelta(hours=1)) == 0
        notice_send.delay(email_notice.pk)
        marker = notice_queue(
            kind="acknowledgement", subject="marker", body="b", recipient_email="m@example.org",
            referral=referral, send_after_commit=False,
        )
        notice_send.delay(marker.pk)  # the solo worker runs tasks in order: the duplicate first
        wait_for(lambda: Notice.objects.get(pk=marker.pk).status == NoticeStatus.SENT,
                 what="the marker notice")
    email_notice.refresh_from_db()
    assert email_notice.attempts == 1
    assert [m.subject for m in mail.outbox].count(mail.outbox[0].subject) == 1
    assert len(mail.outbox) == 2  # the acknowledgement once, and the marker
