"""/metrics: django-prometheus plus the portal's own gauges, only from this machine or with the
bearer token."""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from ops.selectors import service_figures
from outbox.models import Notice, NoticeStatus
from pathways.models import Deadline
from referrals import services
from referrals.models import QUEUE_STATUSES, Referral
from referrals.tasks import deadlines_sweep
from tests.factories.feedback import notice_failed
from tests.referrals.factories import complete_draft

pytestmark = pytest.mark.django_db


def sample(text: str, name: str, **labels) -> float:
    label_text = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(f"{name}{{{label_text}}}" if labels else name) + r" ([0-9.e+-]+)\n"
    match = re.search(pattern, text)
    assert match, f"{name} {labels} not in metrics"
    return float(match.group(1))


@pytest.fixture
def submitted(referrer):
    now = timezone.now()
    sent = []
    for _ in range(2):
        draft = complete_draft(referrer, now=now)
        sent.append(services.referral_submit(referral=draft, actor=referrer,
                                             submission_key=uuid.uuid4(), now=now))
    return sent


def test_the_portals_gauges_count_what_is_in_the_database(client, submitted):
    deadlines_sweep.delay()  # eager: records the sweep's run and duration
    team = submitted[0].team.pathway
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    open_here = Referral.objects.filter(team__pathway=team, status__in=QUEUE_STATUSES).count()
    assert open_here >= 2
    assert sample(text, "portal_queue_depth", team=team) == open_here
    assert sample(text, "portal_queue_depth", team="mash") == 0
    assert sample(text, "portal_outbox_notices", status="pending") == Notice.objects.filter(
        status=NoticeStatus.PENDING).count()
    assert sample(text, "portal_outbox_notices", status="failed") == 0
    assert sample(text, "portal_clocks", state="breached") == 0  # just submitted
    assert sample(text, "portal_sweep_duration_seconds",
                  task="pathways.tasks.deadlines_sweep") >= 0
    # django-prometheus's own metrics are there too.
    assert "django_http_requests_total_by_method_total" in text


def test_failed_notices_and_clocks_by_time(submitted):
    notice_failed(submitted[0])
    running = Deadline.objects.open().filter(paused_at__isnull=True)
    first = running.order_by("due_at").first()
    after_warning = service_figures(now=first.warning_at + timedelta(seconds=1))
    assert after_warning.clocks_due >= 1 and after_warning.clocks_breached == 0
    later = service_figures(now=max(d.due_at for d in running) + timedelta(seconds=1))
    assert later.clocks_breached == running.count() and later.clocks_due == 0
    assert later.outbox["failed"] == 1


def test_metrics_say_nothing_about_people(client, submitted, referrer):
    text = client.get("/metrics").content.decode()
    for value in (referrer.email, referrer.full_name, submitted[0].person_name,
                  submitted[0].reference):
        assert value and value not in text


@pytest.mark.parametrize(
    ("meta", "allowed"),
    [({}, True),  # the test client is 127.0.0.1: a scraper on this machine
     ({"REMOTE_ADDR": "10.0.0.9"}, False),
     ({"HTTP_X_FORWARDED_FOR": "203.0.113.7"}, False),  # through a proxy on this machine
     ({"HTTP_X_FORWARDED_PROTO": "https"}, False)],
)
def test_without_a_token_only_a_direct_loopback_request_is_allowed(client, meta, allowed):
    assert (client.get("/metrics", **meta).status_code == 200) is allowed


def test_with_a_token_only_the_token_is_allowed(client, settings):
    settings.METRICS_BEARER_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics").status_code == 403  # loopback alone is not enough
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token",
                    REMOTE_ADDR="10.0.0.9")
    assert ok.status_code == 200 and b"portal_queue_depth" in ok.content


def test_sweep_metric_is_the_last_successful_run():
    deadlines_sweep.delay()
    figures = service_figures(now=timezone.now())
    duration, finished = figures.sweeps["pathways.tasks.deadlines_sweep"]
    assert 0 <= duration < 60 and timezone.now() - finished < timedelta(minutes=1)
