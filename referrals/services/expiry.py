"""Draft expiry: a reminder before, deletion (with files) after. Both safe to run twice."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.vocabulary import AuditAction, Status
from outbox.models import Channel
from outbox.write import notice_queue

from ..models import Attachment, Referral

BATCH = 200


def drafts_remind(*, now: datetime) -> int:
    """Queue one reminder per draft that expires within the reminder window."""
    window = now + timedelta(days=settings.REFERRAL_DRAFT_REMINDER_DAYS)
    sent = 0
    with transaction.atomic():
        due = list(
            Referral.objects.select_for_update(skip_locked=True)
            .filter(status=Status.DRAFT, draft_reminded_at__isnull=True,
                    draft_expires_at__gt=now, draft_expires_at__lte=window)
            .select_related("referrer")[:BATCH]
        )
        for draft in due:
            expires = timezone.localtime(draft.draft_expires_at).strftime("%-d %B %Y")
            started = timezone.localtime(draft.created_at).strftime("%-d %B %Y")
            # General words only: no name of the person at risk in an email.
            notice_queue(
                kind="draft_reminder",
                subject="Your draft safeguarding referral will be deleted soon",
                body=(f"You started a safeguarding referral on {started} and have not sent it. "
                      f"It will be deleted on {expires}. Sign in and go to 'My referrals' to "
                      "finish and send it."),
                recipient=draft.referrer, referral=draft, channel=Channel.EMAIL,
                dedupe_key=f"draft_reminder:{draft.pk}:{draft.draft_expires_at:%Y%m%d}",
            )
            draft.draft_reminded_at = now
            draft.save(update_fields=["draft_reminded_at"])
            sent += 1
    return sent


def drafts_delete_expired(*, now: datetime) -> int:
    """Delete drafts past their expiry, with their files (after commit). Returns how many."""
    with transaction.atomic():
        expired = list(
            Referral.objects.select_for_update(skip_locked=True)
            .filter(status=Status.DRAFT, draft_expires_at__lte=now)
            .values_list("pk", flat=True)[:BATCH]
        )
        if not expired:
            return 0
        files = list(Attachment.objects.filter(referral_id__in=expired)
                     .values_list("stored_name", flat=True))
        Referral.objects.filter(pk__in=expired).delete()
        for pk in expired:
            audit_record(action=AuditAction.REFERRAL_DRAFT_EXPIRED, detail={"referral_id": pk})

        def delete_files():
            for name in files:
                default_storage.delete(name)

        transaction.on_commit(delete_files)
    return len(expired)
