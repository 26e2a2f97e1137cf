"""Beat task: rebuild the dashboard's summary tables (settings: DASHBOARD_REFRESH_SECONDS)."""

from celery import shared_task
from django.utils import timezone

from .refresh import summaries_rebuild


@shared_task(ignore_result=True)
def summaries_refresh() -> None:
    """Safe to run twice: each run replaces the summaries in one transaction."""
    summaries_rebuild(now=timezone.now())
