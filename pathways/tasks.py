"""Celery tasks for the clocks. Beat runs deadlines_sweep every minute (portal settings)."""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from .sweep import deadlines_sweep as run_sweep


@shared_task(name="pathways.tasks.deadlines_sweep", acks_late=True, ignore_result=True)
def deadlines_sweep(now: str | None = None) -> dict:
    """Record due warnings and breaches. Safe to run twice or concurrently.

    `now` (ISO 8601 with offset) is for tests and catch-up runs; beat sends none.
    """
    moment = datetime.fromisoformat(now) if now else timezone.now()
    return run_sweep(now=moment).as_dict()
