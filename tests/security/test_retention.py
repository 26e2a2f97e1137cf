"""Retention: finished referrals and their files go after the period; a stub stays; twice is
the same as once."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from audit.models import AuditEvent
from audit.services import audit_record
from core.vocabulary import AuditAction
from privacy.retention import retention_due, retention_sweep
from privacy.tasks import retention_sweep as retention_task
from referrals.models import Attachment, Referral, ReferralEvent

NOW = datetime(2033, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def make_closed(referrer, organisation, teams):
    def make(reference, closed_at, *, pathway="oppd", status="closed", with_file=False):
        referral = Referral.objects.create(
            reference=reference, pathway=pathway, team=teams[pathway], status=status,
            referrer=referrer, organisation=organisation, person_name="Ada Example",
            received_at=closed_at - timedelta(days=30), closed_at=closed_at,
        )
        ReferralEvent.objects.create(referral=referral, kind="closed", reason="Ada is safe")
        audit_record(action=AuditAction.REFERRAL_VIEWED, actor=referrer, referral=referral)
        if with_file:
            stored = default_storage.save(f"attachments/test-{reference}",
                                          ContentFile(b"%PDF-1.4 Ada"))
            Attachment.objects.create(referral=referral, stored_name=stored,
                                      original_name="ada.pdf", content_type="application/pdf",
                                      size=12)
        return referral

    return make


def test_only_finished_adult_referrals_past_the_period_are_due(make_closed, settings):
    six_years = timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE)
    old = make_closed("SR-OLD", NOW - six_years - timedelta(days=1))
    make_closed("SR-RECENT", NOW - six_years + timedelta(days=1))
    make_closed("SR-CHILD", NOW - six_years - timedelta(days=400), pathway="mash")
    still_open = make_closed("SR-OPEN", NOW - six_years - timedelta(days=5))
    still_open.status = "enquiry"
    still_open.save()
    assert list(retention_due(now=NOW)) == [old]


def test_the_sweep_deletes_rows_and_files_and_leaves_a_stub(make_closed, settings,
                                                            django_capture_on_commit_callbacks):
    closed = NOW - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE + 10)
    referral = make_closed("SR-GONE1", closed, with_file=True)
    stored = referral.attachments.get().stored_name
    assert default_storage.exists(stored)
    referral_id = referral.pk

    with django_capture_on_commit_callbacks(execute=True):
        assert retention_sweep(now=NOW) == 1

    assert not Referral.objects.filter(pk=referral_id).exists()
    assert not ReferralEvent.objects.filter(referral_id=referral_id).exists()
    assert not Attachment.objects.filter(referral_id=referral_id).exists()
    assert not default_storage.exists(stored)
    stub = AuditEvent.objects.get(action="privacy.retention_deleted", referral_id=referral_id)
    assert stub.detail["reference"] == "SR-GONE1"
    assert stub.detail["closed_on"] == closed.date().isoformat()
    assert "Ada" not in str(stub.detail)
    # The earlier audit rows stay (append-only).
    assert AuditEvent.objects.filter(action="referral.viewed", referral_id=referral_id).exists()


def test_running_it_twice_does_nothing_more(make_closed, settings):
    make_closed("SR-TWICE", NOW - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE + 1))
    assert retention_sweep(now=NOW) == 1
    stubs = AuditEvent.objects.filter(action="privacy.retention_deleted").count()
    assert retention_sweep(now=NOW) == 0
    assert AuditEvent.objects.filter(action="privacy.retention_deleted").count() == stubs == 1


def test_the_period_is_configurable(make_closed, settings):
    settings.RETENTION_DAYS_AFTER_CLOSURE = 30
    make_closed("SR-SHORT", NOW - timedelta(days=31))
    assert retention_sweep(now=NOW) == 1


def test_batches_cover_everything(make_closed, settings):
    for n in range(7):
        make_closed(f"SR-B{n}", NOW - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE + n + 1))
    assert retention_sweep(now=NOW, batch_size=3) == 7
    assert not Referral.objects.filter(reference__startswith="SR-B").exists()


def test_the_sweep_pauses_between_batches_to_leave_room_for_staff(make_closed, settings,
                                                                  monkeypatch):
    from privacy import retention

    pauses = []
    monkeypatch.setattr(retention.time, "sleep", pauses.append)
    settings.RETENTION_BATCH_PAUSE_SECONDS = 0.5
    for n in range(7):
        make_closed(f"SR-P{n}", NOW - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE + n + 1))
    assert retention_sweep(now=NOW, batch_size=3) == 7
    assert pauses == [0.5, 0.5]  # after the two full batches; not after the last


def test_the_beat_task_runs_the_sweep_with_no_arguments(make_closed, settings):
    make_closed("SR-BEAT", datetime(2000, 1, 1, tzinfo=UTC))
    assert settings.CELERY_BEAT_SCHEDULE["privacy-retention"]["task"] == retention_task.name
    assert retention_task.delay().get() == 1
    assert not Referral.objects.filter(reference="SR-BEAT").exists()


def test_the_rest_between_batches_grows_with_the_batch_so_the_sweep_keeps_to_its_share(settings):
    from privacy.retention import retention_rest

    settings.RETENTION_BATCH_PAUSE_SECONDS = 0.1
    settings.RETENTION_BUSY_SHARE = 0.25  # busy a quarter of the time: rest 3x the batch
    assert retention_rest(0.0) == pytest.approx(0.1)
    assert retention_rest(2.0) == pytest.approx(6.1)  # a slow batch (a busy database) rests longer
    settings.RETENTION_BUSY_SHARE = 1.0
    assert retention_rest(2.0) == pytest.approx(0.1)


def test_the_sweep_works_in_small_batches_by_default(make_closed, settings, monkeypatch):
    from privacy import retention

    pauses = []
    monkeypatch.setattr(retention.time, "sleep", pauses.append)
    settings.RETENTION_BATCH_SIZE = 2
    for n in range(5):
        make_closed(f"SR-S{n}", NOW - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE + n + 1))
    assert retention_sweep(now=NOW) == 5
    assert len(pauses) == 2  # after the two full batches of 2
