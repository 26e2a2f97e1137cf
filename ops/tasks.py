import socket

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from .models import Heartbeat


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Scheduled by beat every 30 seconds; records that a worker ran it."""
    worker = socket.gethostname()
    updated = Heartbeat.objects.filter(worker=worker).update(
        beat_at=timezone.now(), count=F("count") + 1
    )
    if not updated:
        Heartbeat.objects.get_or_create(
            worker=worker, defaults={"beat_at": timezone.now(), "count": 1}
        )
