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
from tests.factories import triage
from tests.factories.referrals import referral_with

NOW = datetime(2033, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def make_closed(referrer, organisation, teams):
    """A referral received 30 days before `closed_at` and closed then by its team (with the
    reason "Ada is safe"), through the services; `status=` other than closed stops there."""
    def make(closed_at, *, pathway="oppd", status="closed", with_file=False):
        received = closed_at - timedelta(days=30)
        referral = referral_with(referrer, pathway=pathway, person_name="Ada Example",
                                 received_at=received,
                                 status=status if status != "closed" else "submitted")
        if status == "closed":
            triage.close(referral, reason="Ada is safe", now=closed_at)
            referral.refresh_from_db()
        audit_record(action=AuditAction.REFERRAL_VIEWED, actor=referrer, referral=referral)
        if with_file:
            stored = default_storage.save(f"attachments/test-{referral.pk}",
                                          ContentFile(b"%PDF-1.4 Ada"))
            Attachment.objects.create(referral=referral, stored_name=stored,
                                      original_name="ada.pdf", content_type="application/pdf",
                                      size=12)
        return referral

    return make


def test_only_finished_adult_referrals_past_the_period_are_due(make_closed, settings):
    six_years = timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE)
    old = make_closed(NOW - six_years - timedelta(days=1))
    make_closed(NOW - six_years + timedelta(days=1))
    make_closed(NOW - six_years - timedelta(days=400), pathway="mash")
    make_closed(NOW - six_years - timedelta(days=5), status="enquiry")  # still open
    assert list(retention_due(now=NOW)) == [old]


def test_the_sweep_deletes_rows_and_files_and_leaves_a_stub(make_closed, settings,
                                                            django_capture_on_commit_callbacks):
    closed = NOW - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE + 10)
    referral = make_closed(closed, with_file=True)
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
    assert stub.detail["reference"] == referral.reference
    assert stub.detail["closed_on"] == closed.date().isoformat()
    assert "Ada" not in str(stub.detail)
    # The earlier audit rows stay (append-only).
    assert AuditEvent.objects.filter(action="referral.viewed", referral_id=referral_id).exists()


def test_running_it_twice_does_nothing_more(make_closed, settings):
    make_closed(NOW - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE + 1))
    assert retention_sweep(now=NOW) == 1
    stubs = AuditEvent.objects.filter(action="privacy.retention_deleted").count()
    assert retention_sweep(now=NOW) == 0
    assert AuditEvent.objects.filter(action="privacy.retention_deleted").count() == stubs == 1


def test_the_period_is_configurable(make_closed, settings):
    settings.RETENTION_DAYS_AFTER_CLOSURE = 30
    make_closed(NOW - timedelta(days=31))
    assert retention_sweep(now=NOW) == 1


def test_batches_cover_everything(make_closed, settings):
    made = [make_closed(NOW - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE + n + 1)).pk
            for n in range(7)]
    assert retention_sweep(now=NOW, batch_size=3) == 7
    assert not Referral.objects.filter(pk__in=made).exists()


def test_the_sweep_pauses_between_batches_to_leave_room_for_staff(make_closed, settings,
                                                                  monkeypatch):
    from privacy import retention

    pauses = []
    monkeypatch.setattr(retention.time, "sleep", pauses.append)
    settings.RETENTION_BATCH_PAUSE_SECONDS = 0.5
    for n in range(7):
        make_closed(NOW - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE + n + 1))
    assert retention_sweep(now=NOW, batch_size=3) == 7
    assert pauses == [0.5, 0.5]  # after the two full batches; not after the last


def test_the_beat_task_runs_the_sweep_with_no_arguments(make_closed, settings):
    referral = make_closed(datetime(2000, 1, 1, tzinfo=UTC))
    assert settings.CELERY_BEAT_SCHEDULE["privacy-retention"]["task"] == retention_task.name
    assert retention_task.delay().get() == 1
    assert not Referral.objects.filter(pk=referral.pk).exists()


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
        make_closed(NOW - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE + n + 1))
    assert retention_sweep(now=NOW) == 5
    assert len(pauses) == 2  # after the two full batches of 2


def test_every_adult_pathway_is_swept_batch_by_batch(make_closed, settings):
    """The sweep goes one pathway at a time (retention_batch): referrals of each adult pathway
    are erased, however the batches fall; MASH stays."""
    old = NOW - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE + 5)
    erased = [make_closed(old - timedelta(days=n), pathway=pathway).pk
              for n, pathway in enumerate(["oppd", "mental-health", "oppd",
                                           "learning-disabilities", "mental-health"])]
    kept = make_closed(old, pathway="mash").pk
    assert retention_sweep(now=NOW, batch_size=2) == 5
    assert not Referral.objects.filter(pk__in=erased).exists()
    assert Referral.objects.filter(pk=kept).exists()


@pytest.mark.django_db
def test_a_batch_is_read_from_the_retention_index():
    """Each batch must be a short index range whatever the table's size: before this index a
    batch of 10 read all 1M referrals (0.5 s, docs/performance.md). The planner is told not to
    scan the table so that the plan shows whether the index can serve the query."""
    from django.db import connection, transaction

    from privacy.retention import retention_batch

    sql, params = retention_batch(pathway="oppd", now=NOW, days=None,
                                  size=10).query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "referral_retention_due" in plan, plan
    assert "Sort" not in plan, plan  # in closure order straight from the index


def test_a_batch_is_erased_in_about_the_statements_of_one(make_closed, settings):
    """One delete for the batch (referrals_erase): the related tables are read and deleted once
    for all of them; only the audit rows (one per referral) grow with the batch. Erased one at
    a time, each referral cost its own 29 statements at 1M."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from privacy.retention import referrals_erase

    old = NOW - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSURE + 5)
    one = [make_closed(old).pk]
    five = [make_closed(old - timedelta(days=n)).pk for n in range(5)]
    with CaptureQueriesContext(connection) as single:
        assert referrals_erase(referral_ids=one, now=NOW) == 1
    with CaptureQueriesContext(connection) as batch:
        assert referrals_erase(referral_ids=five, now=NOW) == 5
    audit = sum('INSERT INTO "audit_auditevent"' in q["sql"] for q in batch.captured_queries)
    assert audit == 5
    assert len(batch.captured_queries) - audit == len(single.captured_queries) - 1
    assert not Referral.objects.filter(pk__in=one + five).exists()
