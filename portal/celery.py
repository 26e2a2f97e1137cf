"""The Celery app. Broker: Redis when REDIS_URL is set, else SQLite through kombu (demo)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# django-structlog in the worker: a task's log lines carry the request_id of the request that
# queued it, and the task's own id (docs/operations.md).
from django_structlog.celery.steps import DjangoStructLogInitStep  # noqa: E402

app.steps["worker"].add(DjangoStructLogInitStep)
