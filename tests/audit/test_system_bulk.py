"""audit_record_system_bulk: the deadline sweep's audit rows without a model instance per row,
the same rows audit_row builds, field by field."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit import services
from audit.models import AuditEvent
from audit.services import audit_record_system_bulk, audit_row
from core.vocabulary import AuditAction
from pathways.models import Deadline

pytestmark = pytest.mark.django_db


def fields(row: AuditEvent) -> dict:
    return {f.attname: getattr(row, f.attname) for f in AuditEvent._meta.concrete_fields
            if f.attname not in ("id", "at")}


def test_every_audit_column_is_written():
    """The INSERT names its columns: a new AuditEvent field must be added to it."""
    columns = {field.attname for field in AuditEvent._meta.concrete_fields} - {"id"}
    assert set(services.SYSTEM_BULK_COLUMNS) == columns
    assert len(services.SYSTEM_BULK_COLUMNS) == len(columns)


def test_the_rows_are_the_ones_audit_row_builds_in_one_statement():
    details = [{"kind": "concern_decision", "due_at": "2026-03-02T17:00:00+00:00"}, None,
               {"words": "café ✓", "n": 3, "nested": {"a": [1, None]}}]
    rows = [(41, 7, details[0]), (None, 8, details[1]), (43, 9, details[2])]
    before = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        written = audit_record_system_bulk(
            action=AuditAction.DEADLINE_BREACHED, model=Deadline, rows=rows)
    assert written == 3
    assert len(queries.captured_queries) == 1
    stored = list(AuditEvent.objects.order_by("id"))
    expected = [
        audit_row(action=AuditAction.DEADLINE_BREACHED, referral_id=referral_id,
                  obj=Deadline(pk=pk), detail=detail)
        for referral_id, pk, detail in rows
    ]
    assert [fields(row) for row in stored] == [fields(row) for row in expected]
    assert all(before <= row.at <= timezone.now() + timedelta(seconds=1) for row in stored)


def test_nothing_to_write_is_no_statement_and_a_bare_string_is_refused():
    with CaptureQueriesContext(connection) as queries:
        assert audit_record_system_bulk(
            action=AuditAction.DEADLINE_WARNED, model=Deadline, rows=[]) == 0
    assert not queries.captured_queries
    with pytest.raises(TypeError):
        audit_record_system_bulk(action="deadline.warned", model=Deadline, rows=[(1, 1, {})])
    assert not AuditEvent.objects.exists()
