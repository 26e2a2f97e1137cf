"""Readiness checks for /readyz (django-health-check). Each says only what is wrong with the
service, never anything about people or referrals.

Checks that read the database run on the request's thread (sync_to_async, thread-sensitive),
so they use the request's connection rather than leaving one open in an executor thread."""

import dataclasses
import datetime

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from kombu import Connection

from .models import SweepRun
from .selectors import worker_health

SWEEP_TASK = "pathways.tasks.deadlines_sweep"


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker (Redis in production) accepts a connection."""

    timeout = datetime.timedelta(seconds=3)

    def run(self):
        try:
            with Connection(settings.CELERY_BROKER_URL, connect_timeout=3,
                            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as conn:
                conn.ensure_connection(max_retries=1, timeout=3)
        except Exception as error:  # kombu raises the transport's own errors
            raise ServiceUnavailable("The task broker cannot be reached.") from error


@dataclasses.dataclass
class WorkerHeartbeat(HealthCheck):
    """A Celery worker ran beat's heartbeat task recently (ops.tasks.heartbeat)."""

    async def run(self):
        health = await sync_to_async(worker_health)(now=timezone.now())
        if health.last is None:
            raise ServiceUnavailable("No worker heartbeat has been recorded.")
        if not health.healthy:
            raise ServiceUnavailable(f"The last worker heartbeat was {health.age_seconds} s ago.")


def _last_sweep():
    return SweepRun.objects.filter(task=SWEEP_TASK).first()


@dataclasses.dataclass
class SweepRecent(HealthCheck):
    """Beat's deadlines sweep (every minute) finished recently: warnings and breaches are
    being recorded."""

    async def run(self):
        last = await sync_to_async(_last_sweep)()
        if last is None:
            raise ServiceUnavailable("The deadlines sweep has not run yet.")
        age = (timezone.now() - last.finished_at).total_seconds()
        if age > settings.READY_SWEEP_STALE_SECONDS:
            raise ServiceUnavailable(f"The last deadlines sweep finished {int(age)} s ago.")
