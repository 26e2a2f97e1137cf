"""Beat task: pass unanswered challenges to their next tier (every minute; safe to run twice)."""

from celery import shared_task
from django.utils import timezone

from .sweep import challenges_sweep as run_sweep


@shared_task(acks_late=True, ignore_result=True)
def challenges_sweep() -> dict:
    return run_sweep(now=timezone.now())
