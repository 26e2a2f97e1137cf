"""Records when each beat-scheduled task last finished, and how long it took.

Connected to Celery's task signals (ops.apps), so the tasks themselves need no change: a
scheduled task is recognised by name in CELERY_BEAT_SCHEDULE. Only successful runs count: a
sweep that keeps failing must make /readyz fail."""

import time

from celery import signals
from django.conf import settings
from django.utils import timezone

from .models import SweepRun

_started: dict[str, float] = {}  # task id -> monotonic start, in the worker process


def scheduled_task_names() -> set[str]:
    return {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} - {
        "ops.tasks.heartbeat"  # the heartbeat has its own row (ops.models.Heartbeat)
    }


def sweep_record(*, task: str, duration_seconds: float, now) -> None:
    SweepRun.objects.update_or_create(
        task=task, defaults={"finished_at": now, "duration_seconds": duration_seconds}
    )


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs):
    if task is not None and task.name in scheduled_task_names():
        _started[task_id] = time.monotonic()


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs):
    started = _started.pop(task_id, None)
    if started is None or state != "SUCCESS":
        return
    sweep_record(task=task.name, duration_seconds=time.monotonic() - started,
                 now=timezone.now())
