"""One writer for the record (issue 13, part 3).

referrals.record writes a referral's timeline event and its audit row together; no other module
writes ReferralEvent, and no module but audit.services writes AuditEvent. The source scan below
fails the build when a module starts writing either model itself.
"""

import ast
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from core.vocabulary import EVENT_AUDIT, AuditAction, EventKind
from referrals.models import ReferralEvent
from referrals.record import Entry, record, record_bulk
from referrals.services import referral_submit
from tests.referrals.factories import complete_draft

ROOT = Path(__file__).resolve().parents[2]
# The only module allowed to write each model.
WRITERS = {"ReferralEvent": "referrals/record.py", "AuditEvent": "audit/services.py"}
WRITE_METHODS = {"create", "bulk_create", "get_or_create", "update_or_create", "update",
                 "bulk_update", "delete"}
# Not application code: tests build their own worlds; bench/ fills millions of rows with
# INSERT ... SELECT to measure at scale; migrations describe the schema.
SKIPPED_DIRS = {"tests", "bench", "migrations", ".venv", "node_modules", "static"}


def _model_name(node) -> str | None:
    return node.id if isinstance(node, ast.Name) and node.id in WRITERS else None


def writes_in(source: str) -> list[tuple[str, int]]:
    """(model, line) for every `Model(...)` or `Model.objects.<write>(...)` in the source,
    including chains such as `Model.objects.filter(...).update(...)`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (model := _model_name(func)) is not None:  # Model(...): built to be saved
            found.append((model, node.lineno))
            continue
        if isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS:
            target = func.value
            while isinstance(target, ast.Call | ast.Attribute):
                target = target.func if isinstance(target, ast.Call) else target.value
            if (model := _model_name(target)) is not None:
                found.append((model, node.lineno))
    return found


def writers_outside_record(root: Path) -> list[str]:
    offences = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if SKIPPED_DIRS & set(relative.parts):
            continue
        for model, line in writes_in(path.read_text()):
            if str(relative) != WRITERS[model]:
                offences.append(f"{relative}:{line} writes {model}")
    return offences


def test_only_the_record_writes_the_timeline_and_only_audit_services_write_audit_rows():
    assert writers_outside_record(ROOT) == []


@pytest.mark.parametrize("source, expected", [
    ("ReferralEvent.objects.create(kind='x')", [("ReferralEvent", 1)]),
    ("AuditEvent.objects.bulk_create(rows)", [("AuditEvent", 1)]),
    ("rows.append(ReferralEvent(referral=r))", [("ReferralEvent", 1)]),
    ("AuditEvent.objects.filter(pk=1).update(action='x')", [("AuditEvent", 1)]),
    ("AuditEvent.objects.filter(action='x').exists()", []),  # reading is allowed
    ("ReferralEvent.objects.filter(referral=r).order_by('at')", []),
])
def test_the_scan_finds_writes_and_ignores_reads(source, expected):
    assert writes_in(source) == expected


def test_every_event_kind_has_one_audit_action():
    assert set(EVENT_AUDIT) == set(EventKind)
    assert all(isinstance(action, AuditAction) for action in EVENT_AUDIT.values())


@pytest.fixture
def submitted(db, referrer):
    referral = complete_draft(referrer)
    return referral_submit(referral=referral, actor=referrer, submission_key=uuid.uuid4())


@pytest.mark.parametrize("kind", list(EventKind))
def test_each_kind_writes_one_event_and_one_audit_row(submitted, referrer, kind):
    events, audits = ReferralEvent.objects.count(), AuditEvent.objects.count()
    event = record(referral=submitted, kind=kind, actor=referrer, reason="words",
                   detail={"n": 1}, audit_detail={"m": 2})
    assert ReferralEvent.objects.count() == events + 1
    assert AuditEvent.objects.count() == audits + 1
    row = AuditEvent.objects.latest("id")
    assert (event.kind, row.action, row.referral_id, row.actor_id) == (
        kind.value, EVENT_AUDIT[kind].value, submitted.pk, referrer.pk)
    assert row.detail == {"m": 2, "event": event.pk}


def test_a_bare_string_kind_is_refused_and_writes_nothing(submitted, referrer):
    events, audits = ReferralEvent.objects.count(), AuditEvent.objects.count()
    with pytest.raises(TypeError, match="EventKind"):
        record(referral=submitted, kind="submitted", actor=referrer)
    assert (ReferralEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)


@pytest.mark.parametrize("count", [1, 12])
def test_the_bulk_form_pairs_each_event_with_its_audit_row_in_two_inserts(submitted, count):
    now = timezone.now()
    entries = [Entry(referral=submitted, kind=EventKind.RAG_RATED, at=now, detail={"i": i})
               for i in range(count)]
    with CaptureQueriesContext(connection) as queries:
        events = record_bulk(entries)
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 2  # one per table, whatever the count: set-based
    rows = AuditEvent.objects.filter(referral_id=submitted.pk,
                                     action=AuditAction.REFERRAL_RAG_RATED)
    assert sorted(row.detail["event"] for row in rows) == sorted(e.pk for e in events)
    assert all(row.at == now for row in rows)
