"""Rebuild the summary tables from the referral tables, in one transaction: incrementally when
it can, in full when it must.

Two layers. The facts (ReferralFact, ClockFact, FeedbackTime) hold one row per referral, clock
or feedback time, computed by SELECTs that Django compiles from the same measures the live
figures use (dashboard/facts.py), so the two sources cannot drift apart. The cubes are sums of
the facts per London day.

Incremental (PostgreSQL): triggers (migration 0003) record which referrals changed since the
last rebuild. Only those referrals' facts are recomputed, plus those of open clocks whose due
time or one- or two-month mark passed since the last rebuild's `now` (a clock's result changes
with time alone); then only the cube rows of the days (and pathway, sector and urgency) those
facts were or are now counted in are summed again, and only the touched periods' percentiles are
sorted again. Closed history is not read.

Full: the first rebuild, after a TRUNCATE or a bulk statement (the triggers ask for it), when a
large share of referrals changed, on SQLite (no triggers), or when asked (`full=True`).
"""

import time
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Case, CharField, F, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncDate

from pathways.models import Deadline
from referrals.models import Referral

from .facts import clock_measures, deadline_has, rag_rating, referral_measures, time_to_feedback
from .models import (
    ClockCube,
    ClockFact,
    DirtyReferral,
    FeedbackTime,
    ReferralCube,
    ReferralFact,
    SummaryRefresh,
)
from .percentile_summary import feedback_percentiles_rebuild, feedback_percentiles_update
from .periods import LONDON
from .sql import AddMonths, is_postgres

LOCK_ID = 740_007  # a PostgreSQL advisory lock: one rebuild at a time
# Above this share of all referrals changed, one full pass is cheaper than many lookups.
FULL_SHARE = 0.25

REFERRAL_DIMS = ["pathway", "sector", "urgent"]
REFERRAL_MEASURES = [f.name for f in ReferralCube._meta.fields][8:]
CLOCK_MEASURES = [f.name for f in ClockCube._meta.fields][8:]

REFERRAL_FACT_COLUMNS = ["referral_id", "day", "closed_day", *REFERRAL_DIMS, "organisation_id",
                         "categories", *REFERRAL_MEASURES]
CLOCK_FACT_COLUMNS = ["deadline_id", "referral_id", "day", "kind", "rating", *REFERRAL_DIMS,
                      "categories", "met_at", "due_at", "one_at", "two_at", *CLOCK_MEASURES]
TIME_COLUMNS = ["referral_id", "received_at", *REFERRAL_DIMS, "categories", "organisation_id",
                "to_feedback"]
DIRTY = "dashboard_tmp_dirty"
IN_DIRTY = "SELECT referral_id FROM dashboard_tmp_dirty"


def _sector(prefix: str = ""):
    return Coalesce(F(f"{prefix}organisation__sector"), Value(""), output_field=CharField())


def _referral_facts(referrals):
    return referrals.filter(received_at__isnull=False).annotate(
        referral_id=F("pk"),
        day=TruncDate("received_at", tzinfo=LONDON),
        closed_day=TruncDate("closed_at", tzinfo=LONDON),
        sector=_sector(),
        **referral_measures(),
    ).values(*REFERRAL_FACT_COLUMNS)


def _clock_facts(deadlines, now: datetime):
    qs = deadlines.filter(referral__received_at__isnull=False)
    if deadline_has("cancelled_at"):
        qs = qs.filter(cancelled_at__isnull=True)
    return qs.annotate(
        deadline_id=F("pk"),
        day=TruncDate("starts_at", tzinfo=LONDON),
        # The rating lookup only for rag clocks (a CASE skips the subquery for the rest).
        rating=Case(When(kind="rag", then=rag_rating()), default=Value(""),
                    output_field=CharField()),
        pathway=F("referral__pathway"),
        sector=_sector("referral__"),
        urgent=F("referral__urgent"),
        categories=F("referral__categories"),
        one_at=AddMonths("starts_at", 1),
        two_at=AddMonths("starts_at", 2),
        **clock_measures(now),
    ).values(*CLOCK_FACT_COLUMNS)


def _feedback_times(referrals):
    return time_to_feedback(referrals.filter(received_at__isnull=False)).annotate(
        referral_id=F("pk"), sector=_sector()).values(*TIME_COLUMNS)


def _insert(cursor, model, columns, queryset, returning: str = "") -> list[tuple]:
    """INSERT INTO the model's table SELECT the queryset's named columns."""
    sql, params = queryset.query.sql_with_params()
    cols = ", ".join(columns)
    picked = ", ".join(f't."{c}"' for c in columns)
    cursor.execute(f"INSERT INTO {model._meta.db_table} ({cols}) "  # noqa: S608 - our own names
                   f"SELECT {picked} FROM ({sql}) t{' RETURNING ' + returning if returning else ''}",
                   params)
    return cursor.fetchall() if returning else []


def _each_category(alias: str) -> tuple[str, str]:
    """FROM-clause addition and expression: one row per category in the referral's list."""
    if connection.vendor == "postgresql":
        return (f", jsonb_array_elements_text(CASE WHEN jsonb_typeof({alias}.categories) = "
                f"'array' THEN {alias}.categories ELSE '[]'::jsonb END) AS c(value)", "c.value")
    return f", json_each({alias}.categories) AS c", "c.value"


def _cube_insert(cursor, *, table, source, dims, measures, day, extra_cols=(), extra_vals=(),
                 where=(), params=(), by_category=False):
    cols = ["day", *extra_cols, *dims, "category", *measures]
    sums = ", ".join(f"SUM(f.{m})" for m in measures)
    dim_sql = ", ".join(f"f.{d}" for d in dims)
    join, category = _each_category("f") if by_category else ("", "''")
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    sql = (f"INSERT INTO {table} ({', '.join(cols)}) "  # noqa: S608 - our own names
           f"SELECT f.{day}, {', '.join([*extra_vals, dim_sql])}, {category}, {sums} "
           f"FROM {source} f{join} {condition} "
           f"GROUP BY f.{day}, {dim_sql}{', ' + category if by_category else ''}")
    cursor.execute(sql, list(params) if params else None)
    return cursor.rowcount


def _slice_condition(day: str, slices) -> tuple[list[str], list]:
    """WHERE parts and parameters for "one of these (day, pathway, sector, urgent) slices";
    the day list alone first, so the day index narrows the rows."""
    ordered = sorted(slices)
    columns = [list(c) for c in zip(*ordered, strict=True)]
    return ([f"f.{day} = ANY(%s)",
             f"(f.{day}, f.pathway, f.sector, f.urgent) IN (SELECT * FROM "  # noqa: S608
             "unnest(%s::date[], %s::text[], %s::text[], %s::boolean[]))"],
            [sorted(set(columns[0])), *columns])


def _cubes_sum(cursor, *, received=None, closed=None, clocks=None) -> tuple[int, int]:
    """Sum the facts into the cubes: everything (None), or only the (day, pathway, sector,
    urgent) slices listed."""
    referral_rows = clock_rows = 0
    facts, clock_facts = ReferralFact._meta.db_table, ClockFact._meta.db_table
    received_where, received_params = _slice_condition("day", received) if received else ([], [])
    closed_where, closed_params = _slice_condition("closed_day", closed) if closed else ([], [])
    clock_where, clock_params = _slice_condition("day", clocks) if clocks else ([], [])
    for by_category in (False, True):
        for per_org in (False, True):
            dims = [*REFERRAL_DIMS, "organisation_id"] if per_org else REFERRAL_DIMS
            org = ["f.organisation_id IS NOT NULL"] if per_org else []
            if received is None or received:
                referral_rows += _cube_insert(
                    cursor, table=ReferralCube._meta.db_table, source=facts, dims=dims,
                    measures=REFERRAL_MEASURES, day="day", extra_cols=["basis"],
                    extra_vals=["'received'"], by_category=by_category,
                    where=[*org, *received_where], params=received_params)
            if closed is None or closed:
                referral_rows += _cube_insert(
                    cursor, table=ReferralCube._meta.db_table, source=facts, dims=dims,
                    measures=["closed", "closed_silent"], day="closed_day",
                    extra_cols=["basis"], extra_vals=["'closed'"], by_category=by_category,
                    where=["f.closed_day IS NOT NULL", *org, *closed_where],
                    params=closed_params)
        if clocks is None or clocks:
            clock_rows += _cube_insert(
                cursor, table=ClockCube._meta.db_table, source=clock_facts,
                dims=["kind", "rating", *REFERRAL_DIMS], measures=CLOCK_MEASURES, day="day",
                by_category=by_category, where=clock_where, params=clock_params)
    return referral_rows, clock_rows


def _cubes_clear(cursor, *, received, closed, clocks) -> None:
    for table, basis, slices in ((ReferralCube._meta.db_table, "received", received),
                                 (ReferralCube._meta.db_table, "closed", closed),
                                 (ClockCube._meta.db_table, None, clocks)):
        if not slices:
            continue
        where, params = _slice_condition("day", slices)
        if basis:
            where.append(f"f.basis = '{basis}'")
        cursor.execute(f"DELETE FROM {table} f WHERE {' AND '.join(where)}",  # noqa: S608
                       params)


def _full(cursor, now: datetime) -> tuple[int, int, int]:
    for model in (ReferralCube, ClockCube, FeedbackTime, ReferralFact, ClockFact):
        model.objects.all()._raw_delete(model.objects.db)
    _insert(cursor, ReferralFact, REFERRAL_FACT_COLUMNS, _referral_facts(Referral.objects.all()))
    _insert(cursor, ClockFact, CLOCK_FACT_COLUMNS, _clock_facts(Deadline.objects.all(), now))
    _insert(cursor, FeedbackTime, TIME_COLUMNS, _feedback_times(Referral.objects.all()))
    if is_postgres():
        for model in (ReferralFact, ClockFact, FeedbackTime):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    referral_rows, clock_rows = _cubes_sum(cursor)
    if is_postgres():
        # Fresh statistics for the page's plans: an empty-table estimate picks the wrong index.
        for model in (ReferralCube, ClockCube):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    feedback_percentiles_rebuild(now=now)
    return referral_rows, clock_rows, ReferralFact.objects.count()


def _changed_referrals(cursor, previous: datetime, now: datetime, dirty: set[int]) -> set[int]:
    """The referrals recorded by the triggers, and those with an open clock whose result
    changed with time alone between the two rebuilds (due time, one or two months passed)."""
    low, high = min(previous, now), max(previous, now)
    cursor.execute(
        f"SELECT DISTINCT referral_id FROM {ClockFact._meta.db_table} "  # noqa: S608
        "WHERE met_at IS NULL AND (due_at BETWEEN %s AND %s OR one_at BETWEEN %s AND %s "
        "OR two_at BETWEEN %s AND %s)", [low, high] * 3)
    return dirty | {row[0] for row in cursor.fetchall()}


def _incremental(cursor, previous: datetime, now: datetime, ids: set[int]) -> tuple[int, int]:
    touched_times: list[datetime] = []
    referral_rows = clock_rows = 0
    if ids:
        # Dropped at the end too: inside a caller's transaction (tests) no COMMIT drops it.
        cursor.execute(f"DROP TABLE IF EXISTS {DIRTY}")
        cursor.execute(f"CREATE TEMPORARY TABLE {DIRTY} (referral_id bigint PRIMARY KEY) "
                       "ON COMMIT DROP")
        cursor.execute(f"INSERT INTO {DIRTY} SELECT unnest(%s::bigint[])", [sorted(ids)])
        cursor.execute(f"ANALYZE {DIRTY}")
        in_dirty = RawSQL(IN_DIRTY, [])  # noqa: S611 - fixed SQL
        referrals = Referral.objects.filter(pk__in=in_dirty)

        def replace(model, columns, queryset, returning):
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {table} f USING {DIRTY} d "  # noqa: S608
                           f"WHERE f.referral_id = d.referral_id RETURNING {returning}")
            old = cursor.fetchall()
            return old + _insert(cursor, model, columns, queryset, returning=returning)

        facts = replace(ReferralFact, REFERRAL_FACT_COLUMNS, _referral_facts(referrals),
                        "day, closed_day, pathway, sector, urgent")
        clocks = replace(ClockFact, CLOCK_FACT_COLUMNS,
                         _clock_facts(Deadline.objects.filter(referral_id__in=in_dirty), now),
                         "day, pathway, sector, urgent")
        touched_times = [r[0] for r in replace(FeedbackTime, TIME_COLUMNS,
                                               _feedback_times(referrals), "received_at")]
        # The cube rows of every (day, pathway, sector, urgent) slice a changed fact was or
        # is now counted in: summed again from the facts of that slice only.
        slices = {
            "received": {(day, *rest) for day, _, *rest in facts},
            "closed": {(closed, *rest) for _, closed, *rest in facts if closed is not None},
            "clocks": set(clocks),
        }
        _cubes_clear(cursor, **slices)
        referral_rows, clock_rows = _cubes_sum(cursor, **slices)
        cursor.execute(f"DROP TABLE {DIRTY}")
    # Feedback times that the previous rebuild's `now` left out and this one's takes in.
    low, high = min(previous, now), max(previous, now)
    if low != high:
        touched_times += FeedbackTime.objects.filter(
            received_at__gte=low, received_at__lte=high).values_list("received_at", flat=True)
    feedback_percentiles_update(now=now, previous=previous, touched=touched_times)
    return referral_rows, clock_rows


def summaries_rebuild(*, now: datetime, full: bool = False) -> SummaryRefresh | None:
    """Bring the summaries up to date as at `now`. Safe to run twice or concurrently: while
    one rebuild runs, another returns None at once instead of queueing behind it."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        dirty: set = set()
        if is_postgres():
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_ID])
            if not cursor.fetchone()[0]:
                return None
            # Many small statements, each planned quickly: compiling them costs more than it
            # saves. Sorts for the percentiles stay in memory.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '32MB'")
            # Take what the triggers recorded; changes committed from now on stay for the next
            # rebuild (rows written by transactions still running are not visible to this).
            cursor.execute(f"DELETE FROM {DirtyReferral._meta.db_table} "  # noqa: S608
                           "RETURNING referral_id")
            dirty = {row[0] for row in cursor.fetchall()}
        previous = SummaryRefresh.objects.order_by("-id").first()
        ids: set = set()
        if not (full or previous is None or None in dirty or not is_postgres()):
            ids = _changed_referrals(cursor, previous.as_at, now, dirty)
            if len(ids) > 10_000 and len(ids) > FULL_SHARE * ReferralFact.objects.count():
                full = True
        else:
            full = True
        if full:
            referral_rows, clock_rows, recomputed = _full(cursor, now)
        else:
            referral_rows, clock_rows = _incremental(cursor, previous.as_at, now, ids)
            recomputed = len(ids)
        return SummaryRefresh.objects.create(
            finished_at=now, as_at=now, seconds=time.perf_counter() - started,
            referral_rows=referral_rows, clock_rows=clock_rows,
            mode="full" if full else "incremental", referrals_recomputed=recomputed)
