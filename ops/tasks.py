import socket

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from .models import Heartbeat


@shared_task(bind=True, ignore_result=True)
def heartbeat(self) -> None:
    """Scheduled by beat (every 30 seconds by default): records which worker ran it and when.

    The row is keyed by the worker's node name (`celery@host`), so a run in eager mode, which
    has no worker, is visibly different from a real one."""
    if self.request.is_eager:
        worker = f"eager@{socket.gethostname()}"
    else:
        worker = self.request.hostname or f"celery@{socket.gethostname()}"
    now = timezone.now()
    updated = Heartbeat.objects.filter(worker=worker).update(beat_at=now, count=F("count") + 1)
    if not updated:
        _, created = Heartbeat.objects.get_or_create(
            worker=worker, defaults={"beat_at": now, "count": 1}
        )
        if not created:  # another process made the row between our update and insert
            Heartbeat.objects.filter(worker=worker).update(beat_at=now, count=F("count") + 1)
