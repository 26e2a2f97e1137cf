"""Audit rows cannot be updated or deleted: a PostgreSQL trigger refuses it."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models.deletion import ProtectedError

from audit.models import AuditEvent
from audit.services import audit_record
from core.vocabulary import AuditAction

pytestmark = pytest.mark.postgres


@pytest.fixture
def event(db, referrer):
    return audit_record(action=AuditAction.REFERRAL_VIEWED, actor=referrer, referral_id=41)


def test_an_update_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="nothing_to_see")
    assert AuditEvent.objects.get(pk=event.pk).action == "referral.viewed"


def test_a_save_of_a_changed_row_is_refused(event):
    event.allowed = False
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.save()


def test_a_delete_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_is_refused_too(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


def test_inserts_still_work(event):
    audit_record(action=AuditAction.REFERRAL_VIEWED, referral_id=41)
    assert AuditEvent.objects.filter(referral_id=41).count() == 2


def test_a_person_with_an_audit_history_cannot_be_deleted(event, referrer):
    with pytest.raises(ProtectedError):
        referrer.delete()
