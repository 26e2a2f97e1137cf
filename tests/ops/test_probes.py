"""/healthz and /readyz: answered without sign-in, sessions or the second factor; readiness
is 503 when the database, broker, worker heartbeat or beat's sweep is not there."""

import json
import os
from datetime import timedelta

import pytest
from django.utils import timezone

from ops.models import Heartbeat, SweepRun
from ops.tasks import heartbeat
from referrals.tasks import deadlines_sweep

pytestmark = pytest.mark.django_db

SWEEP = "pathways.tasks.deadlines_sweep"
# A loopback port nothing listens on: connection refused at once.
DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_up(settings):
    """A broker that accepts connections: the shared Redis when there is one (as in CI), else
    kombu's in-memory transport."""
    settings.CELERY_BROKER_URL = os.environ.get("REDIS_URL") or "memory://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    return settings


@pytest.fixture
def all_up(broker_up):
    heartbeat.delay()  # the real tasks, eager in the test settings
    deadlines_sweep.delay()


def readiness(client):
    response = client.get("/readyz", HTTP_ACCEPT="application/json")
    return response.status_code, json.loads(response.content)


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert "Set-Cookie" not in response.headers and not response.cookies


def test_readyz_is_200_when_everything_is_up(client, all_up):
    status, body = readiness(client)
    assert status == 200, body
    assert set(body.values()) == {"OK"}
    assert len(body) == 4  # database, broker, worker heartbeat, sweep


def test_a_stale_heartbeat_gives_503(client, all_up):
    Heartbeat.objects.update(beat_at=timezone.now() - timedelta(minutes=5))
    status, body = readiness(client)
    assert status == 503
    assert any("heartbeat was" in value for value in body.values()), body


def test_no_heartbeat_at_all_gives_503(client, broker_up):
    deadlines_sweep.delay()
    status, body = readiness(client)
    assert status == 503 and any("No worker heartbeat" in v for v in body.values()), body


def test_a_sweep_that_has_not_run_recently_gives_503(client, all_up, settings):
    SweepRun.objects.filter(task=SWEEP).update(
        finished_at=timezone.now() - timedelta(seconds=settings.READY_SWEEP_STALE_SECONDS + 1))
    status, body = readiness(client)
    assert status == 503 and any("deadlines sweep finished" in v for v in body.values()), body


def test_a_sweep_that_never_ran_gives_503(client, broker_up):
    heartbeat.delay()
    status, body = readiness(client)
    assert status == 503 and any("has not run yet" in v for v in body.values()), body


def test_an_unreachable_broker_gives_503(client, all_up, settings):
    settings.CELERY_BROKER_URL = DEAD_BROKER
    status, body = readiness(client)
    assert status == 503
    assert any("task broker cannot be reached" in v for v in body.values()), body


def test_a_failing_sweep_is_not_counted_as_a_run(all_up, settings, monkeypatch):
    import referrals.tasks

    before = SweepRun.objects.get(task=SWEEP).finished_at

    def broken(**kwargs):
        raise RuntimeError("sweep failed")

    monkeypatch.setattr(referrals.tasks, "run_sweep", broken)
    with pytest.raises(RuntimeError):
        deadlines_sweep.delay()
    assert SweepRun.objects.get(task=SWEEP).finished_at == before


def test_probes_ignore_sessions_second_factor_host_and_https_redirect(
    client, all_up, referrer, mfa_enforced
):
    """A signed-in but unverified browser, a plain-HTTP probe with the container's own address
    as Host: the probes still answer, while a page would redirect."""
    mfa_enforced.SECURE_SSL_REDIRECT = True
    client.force_login(referrer)  # password only: the second factor is still owed
    page = client.get("/home/", secure=True)
    assert page.status_code == 302 and "/account/security/verify/" in page.url
    assert client.get("/accessibility/").status_code == 301  # plain HTTP: to HTTPS
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.1.2.3:8000", HTTP_ACCEPT="application/json")
        assert response.status_code == 200, (path, response.content)


def test_readiness_says_nothing_about_people(client, all_up, referrer):
    Heartbeat.objects.update(beat_at=timezone.now() - timedelta(minutes=5))
    for accept in ("application/json", "text/plain", "text/html"):
        body = client.get("/readyz", HTTP_ACCEPT=accept).content.decode()
        assert referrer.email not in body and referrer.full_name not in body
