"""Sending notices: one task per notice id, safe to run twice."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Channel, Notice, NoticeStatus

log = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def notice_send(notice_id: int) -> None:
    """Send one notice by id. Returns at once if it was already sent (idempotent)."""
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update().filter(pk=notice_id, status=NoticeStatus.PENDING)
            .first()
        )
        if notice is None:
            return
        notice.attempts += 1
        if notice.channel == Channel.PORTAL:
            notice.status = NoticeStatus.SENT
            notice.sent_at = timezone.now()
            notice.save(update_fields=["attempts", "status", "sent_at"])
            return
        body = f"{notice.body}\n\nSign in to see more: {settings.SITE_URL}/\n"
        send_mail(notice.subject, body, None, [notice.recipient_email])
        notice.status = NoticeStatus.SENT
        notice.sent_at = timezone.now()
        notice.save(update_fields=["attempts", "status", "sent_at"])
    log.info("notice %s sent", notice_id)
