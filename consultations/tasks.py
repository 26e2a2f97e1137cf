"""Beat task: requests for advice not called back in time (every minute; safe to run twice)."""

from celery import shared_task
from django.utils import timezone

from .sweep import consultations_sweep as run_sweep


@shared_task(acks_late=True, ignore_result=True)
def consultations_sweep() -> dict:
    return {"missed": run_sweep(now=timezone.now())}
