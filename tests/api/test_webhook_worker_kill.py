"""A real Celery worker child killed (SIGKILL) while it holds a batch of webhook deliveries,
before any was posted: acks_late and reject_on_worker_lost put the message back, and the
loopback receiver gets every delivery exactly once, in order within each referral. The notices'
harness (tests/security/fault_backends.py: a private redis-server, a real worker), with a
webhook transport that hangs once (tests/api/hooks.py) instead of an email backend."""

import os
import signal

import pytest

from api.services import client_register, endpoint_register
from outbox.models import NoticeStatus, WebhookDelivery
from tests.factories.referrals import referral_with
from tests.factories.triage import decide
from tests.security.fault_backends import (
    celery_app_on,
    celery_worker,
    private_redis,
    send_task,
    wait_for,
)

from .receiver import Receiver


@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_posts_each_webhook_exactly_once(tmp_path, referrer,
                                                                     council_admin):
    log_path = tmp_path / "worker.log"
    mosaic, _ = client_register(name="Mosaic", pathways=["oppd"], scopes=["events:read"],
                                actor=council_admin)
    with Receiver() as receiver, private_redis() as redis:
        _endpoint, receiver.secret = endpoint_register(client=mosaic, url=receiver.url,
                                                       event_types=[], actor=council_admin)
        with celery_app_on(redis.url):  # the changes publish to the private broker
            first = referral_with(referrer, pathway="oppd")
            second = referral_with(referrer, pathway="oppd")
            decide(first)
            decide(second)
        ids = list(WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True))
        assert len(ids) == 4
        with celery_worker(tmp_path, redis.url, extra_env={
                "WEBHOOK_TRANSPORT": "tests.api.hooks.hang_once"}) as worker:
            hung = tmp_path / "hung.pid"
            wait_for(hung.exists, "the first delivery to start", log_path)
            child = int(hung.read_text())
            assert child != worker.pid
            os.kill(child, signal.SIGKILL)

            def statuses():
                return set(WebhookDelivery.objects.values_list("status", flat=True))

            wait_for(lambda: statuses() == {NoticeStatus.SENT}, "every delivery sent", log_path)
            # The whole batch again (a replayed message) changes nothing: the rows are sent.
            send_task(redis.url, "outbox.tasks.webhooks_send", ids)
            # Then a sentinel behind it: one worker process takes messages in order, so once
            # the sentinel is sent the replay was handled.
            with celery_app_on(redis.url):
                sentinel = referral_with(referrer, pathway="oppd")
            wait_for(lambda: WebhookDelivery.objects.filter(
                referral_id=sentinel.pk, status=NoticeStatus.SENT).exists(), "the sentinel",
                log_path)
    arrived = [r["id"] for r in receiver.received if r["body"]["referral"]["id"] != sentinel.pk]
    assert sorted(arrived) == sorted(str(pk) for pk in ids)  # each exactly once
    assert all(r["valid"] for r in receiver.received)
    for referral in (first, second):
        kinds = [b["type"] for b in receiver.bodies() if b["referral"]["id"] == referral.pk]
        assert kinds == ["referral.created", "referral.decided"]
    assert "WorkerLostError" in log_path.read_text() or "signal 9" in log_path.read_text()
    # The killed attempt's transaction never committed: one attempt on record for each.
    assert set(WebhookDelivery.objects.values_list("attempts", flat=True)) == {1}
