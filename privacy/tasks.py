from celery import shared_task
from django.utils import timezone

from .retention import retention_sweep as _retention_sweep


@shared_task(name="privacy.tasks.retention_sweep")
def retention_sweep() -> int:
    """Daily (CELERY_BEAT_SCHEDULE["privacy-retention"]). Takes no arguments: nothing personal
    in the broker, and running it twice deletes nothing more."""
    return _retention_sweep(now=timezone.now())
