"""Beat task for drafts: remind, then delete expired ones with their files. Safe to run twice."""

from celery import shared_task
from django.utils import timezone

from .services import drafts_delete_expired, drafts_remind


@shared_task(ignore_result=True)
def drafts_sweep() -> dict:
    now = timezone.now()
    return {"reminded": drafts_remind(now=now), "deleted": drafts_delete_expired(now=now)}
