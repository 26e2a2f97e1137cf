"""Tests build referrals, their timeline, clocks and notices through the services (issue 13,
part 5): a test module that writes Referral, ReferralEvent, Deadline or Notice rows itself
(`Model.objects.create / bulk_create / get_or_create / update_or_create / update /
bulk_update`, including `Model.objects.filter(...).update(...)`) fails here unless it is one of
the exceptions below, each with its reason (docs/testing.md, "Still hand-written"). A single
write that is the point of its test (a row restored from a backup with its marks lost, a view
that leaks POST data onto the row) carries `# planted: <why>` on its statement's lines."""

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
MODELS = {"Referral", "ReferralEvent", "Deadline", "Notice"}
WRITE_METHODS = {"create", "bulk_create", "get_or_create", "update_or_create", "update",
                 "bulk_update"}

# path under tests/ -> why it writes the rows itself. Keep in step with docs/testing.md.
EXCEPTIONS = {
    "referrals/test_workflow_table.py":
        "asks every transition in every status on every pathway, shapes no service reaches, "
        "~3,500 referrals",
    "triage/test_views.py":
        "`_bulk`: 1,000 queued rows for the queue's query-count test, one statement each",
}


def _model(node) -> str | None:
    return node.id if isinstance(node, ast.Name) and node.id in MODELS else None


def writes_in(source: str) -> list[tuple[str, int]]:
    """(model, line) for every write through a model's manager, chains included. Unsaved
    instances (`Referral(pathway=...)` for a form's pure tests) are not rows and pass, and so
    does a write marked `# planted: <why>`."""
    found, lines = [], source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITE_METHODS):
            continue
        target = node.func.value
        while isinstance(target, ast.Call | ast.Attribute):
            target = target.func if isinstance(target, ast.Call) else target.value
        marked = any("# planted: " in line
                     for line in lines[node.lineno - 1:node.end_lineno])
        if (model := _model(target)) is not None and not marked:
            found.append((model, node.lineno))
    return found


def planted() -> dict[str, list[str]]:
    found = {}
    for path in sorted(TESTS.rglob("*.py")):
        relative = str(path.relative_to(TESTS))
        if relative == Path(__file__).name:
            continue
        writes = writes_in(path.read_text())
        if writes:
            found[relative] = [f"{model} at line {line}" for model, line in writes]
    return found


def test_no_test_module_plants_referrals_events_clocks_or_notices():
    found = planted()
    outside = {path: writes for path, writes in found.items() if path not in EXCEPTIONS}
    assert outside == {}, "build these through tests/factories (the services) instead"


def test_every_exception_still_needs_to_be_one():
    assert sorted(set(EXCEPTIONS) - set(planted())) == []


@pytest.mark.parametrize("source, expected", [
    ("Deadline.objects.create(referral=r)", [("Deadline", 1)]),
    ("Notice.objects.bulk_create(rows)", [("Notice", 1)]),
    ("Deadline.objects.filter(pk=1).update(breached_at=now)", [("Deadline", 1)]),
    ("Referral.objects.update(status='closed')", [("Referral", 1)]),
    ("ReferralEvent.objects.get_or_create(kind='x')", [("ReferralEvent", 1)]),
    ("Referral(pathway='oppd')", []),  # unsaved, for a form's pure tests
    ("Notice.objects.filter(status='failed').count()", []),  # reading
    ("Deadline.objects.filter(referral=r).delete()", []),
    ("Deadline.objects.update(\n    warned_at=None)  # planted: a backup's lost marks", []),
])
def test_the_scan_finds_writes_and_ignores_reads(source, expected):
    assert writes_in(source) == expected
