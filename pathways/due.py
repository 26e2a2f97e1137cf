"""Which clocks are due: the selection the sweep (referrals.sweep) claims, batch by batch.

Part of the clock engine: it stamps `breached_at` / `warned_at` on the deadlines it claims and
returns them; what happens next (the record, who is told) is decided above it. Rows are locked
`FOR UPDATE SKIP LOCKED`, so two sweeps at once share the work instead of doing it twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.db import connection
from django.db.models import Value
from django.db.models.functions import Coalesce

from .models import Deadline


def running():
    return Deadline.objects.open().filter(paused_at__isnull=True)


def claim(due, batch_size, *, now, stamp=(), keep_or_stamp=()) -> list[int]:
    """Lock up to batch_size of the `due` deadlines (SKIP LOCKED: rows another sweep holds are
    left to it), set the `stamp` fields to `now` and the `keep_or_stamp` fields to `now` unless
    already set, and return their ids; in the caller's transaction.

    On PostgreSQL one statement, `WITH due AS (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n)
    UPDATE ... RETURNING id`, the lock query written by the ORM so it keeps the meaning of
    Deadline.objects.open(). Elsewhere (SQLite, the demo: one writer at a time) a select and an
    update.
    """
    locked = due.select_for_update(skip_locked=True).values("id")[:batch_size]
    if connection.vendor != "postgresql":
        ids = [row["id"] for row in locked]
        Deadline.objects.filter(pk__in=ids).update(
            **{name: now for name in stamp},
            **{name: Coalesce(name, Value(now)) for name in keep_or_stamp},
        )
        return ids
    select, params = locked.query.sql_with_params()
    quote = connection.ops.quote_name

    def column(name):
        return quote(Deadline._meta.get_field(name).column)

    assignments = [f"{column(name)} = %s" for name in stamp] + [
        f"{column(name)} = COALESCE(d.{column(name)}, %s)" for name in keep_or_stamp
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            # Only our own column names and the ORM's SQL are formatted in; values are parameters.
            f"WITH due AS ({select}) "  # noqa: S608
            f"UPDATE {quote(Deadline._meta.db_table)} AS d SET {', '.join(assignments)} "
            "FROM due WHERE d.id = due.id RETURNING d.id",
            [*params, *([now] * len(assignments))],
        )
        return [row[0] for row in cursor.fetchall()]


class ClaimedClock(NamedTuple):
    """A claimed deadline with what its record and notices need, as plain values."""

    id: int
    kind: str
    variant: str
    due_at: datetime
    warning_at: datetime
    referral_id: int
    reference: str
    pathway: str
    team_id: int | None
    team_email: str | None
    assignee_id: int | None
    assignee_email: str | None
    assignee_is_active: bool | None


# ClaimedClock's fields, as lookups from the deadline (one query with its two joins).
CLAIMED_LOOKUPS = (
    "id", "kind", "variant", "due_at", "warning_at", "referral_id", "referral__reference",
    "referral__pathway", "referral__team_id", "referral__team__email", "referral__assignee_id",
    "referral__assignee__email", "referral__assignee__is_active",
)


def claimed(ids, order) -> list[ClaimedClock]:
    """The claimed deadlines with what the record and the notices need (only that: a batch
    can be thousands of rows), in one query, as tuples: no model instances to build."""
    rows = (
        Deadline.objects.filter(pk__in=ids)
        .order_by(*order)
        .values_list(*CLAIMED_LOOKUPS)
    )
    return [ClaimedClock._make(row) for row in rows]


def breaches_claim(now: datetime, batch_size: int) -> list[ClaimedClock]:
    """Claim up to batch_size running clocks due by `now` and not yet breached; in the caller's
    transaction. A breach covers a warning the sweep never got to send (it was down, say)."""
    due = running().filter(breached_at__isnull=True, due_at__lte=now).order_by("due_at", "id")
    ids = claim(due, batch_size, now=now, stamp=["breached_at"], keep_or_stamp=["warned_at"])
    return claimed(ids, ("due_at", "id")) if ids else []


def warnings_claim(now: datetime, batch_size: int) -> list[ClaimedClock]:
    """Claim up to batch_size running clocks whose warning time has come (and not their due
    time); in the caller's transaction."""
    due = (
        running()
        .filter(warned_at__isnull=True, warning_at__lte=now, due_at__gt=now)
        .order_by("warning_at", "id")
    )
    ids = claim(due, batch_size, now=now, stamp=["warned_at"])
    return claimed(ids, ("warning_at", "id")) if ids else []
