"""Requests for advice not called back in time: the team's managers are told once (beat, every
minute). Bounded batches, SKIP LOCKED; missed_at makes a second run change nothing."""

from datetime import datetime

from django.db import transaction

from .models import Consultation, ConsultationState
from .services import consultation_missed

BATCH_SIZE = 100


def consultations_sweep(*, now: datetime, batch_size: int = BATCH_SIZE,
                        max_batches: int = 20) -> int:
    missed = 0
    for _ in range(max_batches):
        with transaction.atomic():
            due = list(Consultation.objects.filter(
                state=ConsultationState.WAITING, missed_at__isnull=True, due_at__lte=now)
                .select_for_update(skip_locked=True, of=("self",)).select_related("team")
                .order_by("due_at", "id")[:batch_size])
            for consultation in due:
                consultation_missed(consultation=consultation, now=now)
        missed += len(due)
        if len(due) < batch_size:
            break
    return missed
