from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from outbox.models import Notice
from referrals import access, services
from referrals.models import Referral
from referrals.tasks import drafts_sweep

from .factories import complete_draft

pytestmark = pytest.mark.django_db


def start(referrer, now):
    return services.draft_start(actor=referrer, urgency={"urgent": False, "urgent_reason": ""},
                                now=now)


def test_draft_is_prefilled_from_the_account(referrer, organisation):
    referrer.job_title = "Support worker"
    referrer.save()
    draft = start(referrer, timezone.now())
    assert draft.answers["referrer_name"] == "Dana Volunteer"
    assert draft.answers["referrer_organisation"] == organisation.name
    assert draft.answers["referrer_job_title"] == "Support worker"
    assert draft.organisation == organisation


def test_pending_member_cannot_start(make_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        start(make_user("pending@example.org"), timezone.now())


def test_saving_a_page_extends_expiry_and_resumes_at_the_next_page(referrer, settings):
    settings.REFERRAL_DRAFT_EXPIRY_DAYS = 30
    then = timezone.now() - timedelta(days=10)
    draft = start(referrer, then)
    assert draft.draft_expires_at == then + timedelta(days=30)
    now = timezone.now()
    services.draft_save_step(referral=draft, actor=referrer, step_key="person", now=now,
                             values={"person_name": "A", "age_known": "unknown",
                                     "person_gender": "unknown"})
    draft.refresh_from_db()
    assert draft.draft_expires_at == now + timedelta(days=30)
    from referrals import steps

    assert steps.first_unfinished(draft).key == "contact"
    assert list(access.drafts_of(referrer)) == [draft]


def test_reminder_once_seven_days_before_then_deletion_with_files(
        referrer, settings, django_capture_on_commit_callbacks):
    settings.REFERRAL_DRAFT_EXPIRY_DAYS = 30
    settings.REFERRAL_DRAFT_REMINDER_DAYS = 7
    started = timezone.now()
    draft = start(referrer, started)
    kept = complete_draft(referrer)
    services.referral_submit(referral=kept, actor=referrer,
                             submission_key=__import__("uuid").uuid4())
    attachment = services.attachment_add(
        referral=draft, actor=referrer,
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"))

    assert services.drafts_remind(now=started + timedelta(days=22)) == 0
    assert services.drafts_remind(now=started + timedelta(days=24)) == 1
    assert services.drafts_remind(now=started + timedelta(days=25)) == 0  # once only
    reminder = Notice.objects.get(kind="draft_reminder")
    assert reminder.recipient == referrer and "Mary" not in reminder.body

    assert services.drafts_delete_expired(now=started + timedelta(days=29)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.drafts_delete_expired(now=started + timedelta(days=31)) == 1
    assert not Referral.objects.filter(pk=draft.pk).exists()
    assert Referral.objects.filter(pk=kept.pk).exists()  # submitted referrals never expire
    assert not default_storage.exists(attachment.stored_name)
    assert AuditEvent.objects.filter(action="referral.draft_expired").count() == 1
    # Safe to run twice.
    assert services.drafts_delete_expired(now=started + timedelta(days=31)) == 0


def test_beat_task_runs_the_sweep_and_is_scheduled(referrer, settings):
    # Started just over the expiry period ago: expired a minute ago.
    start(referrer, timezone.now() - timedelta(days=settings.REFERRAL_DRAFT_EXPIRY_DAYS,
                                               minutes=1))
    assert drafts_sweep.delay().get() == {"reminded": 0, "deleted": 1}
    assert drafts_sweep.delay().get() == {"reminded": 0, "deleted": 0}
    assert settings.CELERY_BEAT_SCHEDULE["referrals-drafts-sweep"]["task"] == (
        "referrals.tasks.drafts_sweep")
