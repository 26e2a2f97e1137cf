"""Upgrades do not lock large tables (docs/deployment.md, "Upgrades"): a migration that adds an
index, or a uniqueness or foreign-key constraint, to a table an earlier migration created builds
it CONCURRENTLY (django.contrib.postgres.operations.AddIndexConcurrently in a migration with
`atomic = False`). A plain CREATE INDEX holds a lock that blocks every write to the table for as
long as the build takes: minutes on the referral, deadline, notice and audit tables at a national
service's volume.

The migrations below were written before the rule, when no deployment held large tables; each
has been applied everywhere. They stay as they are (editing an applied migration changes
nothing), and nothing new joins the list.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import models
from django.db.migrations import operations as ops
from django.db.migrations.loader import MigrationLoader

OURS = {"accounts", "audit", "dashboard", "feedback", "mfa", "ops", "outbox", "pathways",
        "privacy", "referrals", "triage", "portal"}
BEFORE_THE_RULE = {
    ("feedback", "0002_initial"), ("pathways", "0002_initial"),  # the first schema, in two parts
    ("dashboard", "0002_incremental_facts"), ("dashboard", "0004_staff_cube_index"),
    ("dashboard", "0005_cube_pathway_index"), ("feedback", "0003_outbox_retries"),
    ("pathways", "0004_clocks"), ("pathways", "0006_sweep_partial_indexes"),
    ("referrals", "0003_referral_form"), ("referrals", "0004_referral_next_clock"),
    ("referrals", "0005_urgent_unassigned_index"),
}


def _indexed(field) -> bool:
    return bool(getattr(field, "db_index", False) or getattr(field, "unique", False)
                or isinstance(field, models.ForeignKey))


def locking_operations(migration, created: set) -> list[str]:
    """The operations of `migration` that build an index on a table created before it without
    CONCURRENTLY. `created` holds (app, model) created by earlier migrations and is updated."""
    found, here = [], set()
    for op in migration.operations:
        if isinstance(op, ops.CreateModel):
            here.add((migration.app_label, op.name_lower))
            continue
        model = getattr(op, "model_name_lower", None) or getattr(op, "model_name", "")
        key = (migration.app_label, str(model).lower())
        if key in here or key not in created:
            continue  # a new table is empty: nothing to lock
        if isinstance(op, (AddIndexConcurrently, RemoveIndexConcurrently)):
            continue
        if isinstance(op, (ops.AddIndex, ops.AddConstraint)):
            constraint = getattr(op, "constraint", None)
            if constraint is None or isinstance(constraint, models.UniqueConstraint):
                found.append(f"{type(op).__name__} on {key[1]}")
        elif isinstance(op, ops.AddField) and _indexed(op.field):
            found.append(f"{type(op).__name__} {key[1]}.{op.name} (indexed)")
    created |= here
    # Not checked: AlterField (whether it adds an index depends on the field before it; a
    # reviewer looks), RunSQL (say CONCURRENTLY in the SQL).
    return found


def test_no_migration_builds_an_index_on_an_existing_table_without_concurrently():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    created: set = set()
    offenders = {}
    order, seen = [], set()
    for leaf in loader.graph.leaf_nodes():
        for node in loader.graph.forwards_plan(leaf):  # dependencies first
            if node not in seen:
                seen.add(node)
                order.append(node)
    for app_label, name in order:
        if app_label not in OURS:
            continue
        migration = loader.graph.nodes[(app_label, name)]
        found = locking_operations(migration, created)
        if found and (app_label, name) not in BEFORE_THE_RULE:
            offenders[f"{app_label}.{name}"] = found
    assert not offenders, (
        "Build these indexes with AddIndexConcurrently (atomic = False): " + repr(offenders))


def test_the_check_sees_a_plain_add_index_and_accepts_a_concurrent_one():
    class Plain:
        app_label = "referrals"
        operations = [ops.AddIndex("referral", models.Index(fields=["status"], name="x"))]

    class Concurrent:
        app_label = "referrals"
        operations = [AddIndexConcurrently("referral", models.Index(fields=["status"], name="x"))]

    class NewTable:
        app_label = "referrals"
        operations = [ops.CreateModel("Thing", [("id", models.BigAutoField(primary_key=True))]),
                      ops.AddIndex("thing", models.Index(fields=["id"], name="y"))]

    existing = {("referrals", "referral")}
    assert locking_operations(Plain, set(existing)) == ["AddIndex on referral"]
    assert locking_operations(Concurrent, set(existing)) == []
    assert locking_operations(NewTable, set(existing)) == []
