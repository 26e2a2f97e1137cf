"""The heartbeat task and what administrators are told about it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ops.models import Heartbeat
from ops.selectors import STALE_AFTER, worker_health
from ops.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_an_eager_run_is_named_as_such_and_counts_up():
    heartbeat.delay()  # eager in the test settings: no worker, so no worker node name
    heartbeat.delay()
    beat = Heartbeat.objects.get()
    assert beat.worker.startswith("eager@")
    assert beat.count == 2


@pytest.mark.parametrize(
    ("age", "healthy"),
    [(None, False), (timedelta(0), True), (STALE_AFTER, True),
     (STALE_AFTER + timedelta(seconds=1), False)],
)
def test_worker_health_is_stale_after_three_missed_beats(age, healthy):
    now = timezone.now()
    if age is not None:
        Heartbeat.objects.create(worker="celery@a", beat_at=now - age)
    assert worker_health(now=now).healthy is healthy
