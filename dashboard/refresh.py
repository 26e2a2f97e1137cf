"""Rebuild the summary tables from the referral tables, in one transaction.

A full rebuild, not an incremental one: clock results change with time alone (a clock becomes
overdue without any row changing), and a rebuild is simple to reason about and safe to run
twice. Each step is one INSERT ... SELECT whose SELECT Django compiles from the same measures
the live figures use (dashboard/facts.py), so the two sources cannot drift apart.
"""

import time
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Coalesce, TruncDate

from pathways.models import Deadline
from referrals.models import Referral

from .facts import clock_measures, deadline_has, rag_rating, referral_measures, time_to_feedback
from .models import ClockCube, FeedbackTime, ReferralCube, SummaryRefresh
from .percentile_summary import feedback_percentiles_rebuild
from .periods import LONDON

LOCK_ID = 740_007  # a PostgreSQL advisory lock: one rebuild at a time

REFERRAL_DIMS = ["pathway", "sector", "urgent"]
REFERRAL_MEASURES = [f.name for f in ReferralCube._meta.fields][8:]
CLOCK_MEASURES = [f.name for f in ClockCube._meta.fields][8:]


def _referral_facts():
    return Referral.objects.filter(received_at__isnull=False).annotate(
        day=TruncDate("received_at", tzinfo=LONDON),
        closed_day=TruncDate("closed_at", tzinfo=LONDON),
        sector=Coalesce(F("organisation__sector"), Value(""), output_field=CharField()),
        **referral_measures(),
    ).values("day", "closed_day", *REFERRAL_DIMS, "organisation_id", "categories",
             *REFERRAL_MEASURES)


def _clock_facts(now: datetime):
    qs = Deadline.objects.filter(referral__received_at__isnull=False)
    if deadline_has("cancelled_at"):
        qs = qs.filter(cancelled_at__isnull=True)
    return qs.annotate(
        day=TruncDate("starts_at", tzinfo=LONDON),
        # The rating lookup only for rag clocks (a CASE skips the subquery for the rest).
        rating=Case(When(kind="rag", then=rag_rating()), default=Value(""),
                    output_field=CharField()),
        pathway=F("referral__pathway"),
        sector=Coalesce(F("referral__organisation__sector"), Value(""), output_field=CharField()),
        urgent=F("referral__urgent"),
        categories=F("referral__categories"),
        **clock_measures(now),
    ).values("day", "kind", "rating", *REFERRAL_DIMS, "categories", *CLOCK_MEASURES)


def _each_category(alias: str) -> tuple[str, str]:
    """FROM-clause addition and expression: one row per category in the referral's list."""
    if connection.vendor == "postgresql":
        return (f", jsonb_array_elements_text(CASE WHEN jsonb_typeof({alias}.categories) = "
                f"'array' THEN {alias}.categories ELSE '[]'::jsonb END) AS c(value)", "c.value")
    return f", json_each({alias}.categories) AS c", "c.value"


def _cube_insert(cursor, *, table, source, dims, measures, day, extra_cols=(), extra_vals=(),
                 where="", by_category=False):
    cols = ["day", *extra_cols, *dims, "category", *measures]
    sums = ", ".join(f"SUM(f.{m})" for m in measures)
    dim_sql = ", ".join(f"f.{d}" for d in dims)
    join, category = _each_category("f") if by_category else ("", "''")
    sql = (f"INSERT INTO {table} ({', '.join(cols)}) "  # noqa: S608 - our own names
           f"SELECT f.{day}, {', '.join([*extra_vals, dim_sql])}, {category}, {sums} "
           f"FROM {source} f{join} {where} "
           f"GROUP BY f.{day}, {dim_sql}{', ' + category if by_category else ''}")
    cursor.execute(sql)
    return cursor.rowcount


def _temp(cursor, name, queryset):
    sql, params = queryset.query.sql_with_params()
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMPORARY TABLE {name} AS {sql}", params)


def summaries_rebuild(*, now: datetime) -> SummaryRefresh | None:
    """Replace the cubes with figures as at `now`. Safe to run twice or concurrently: while
    one rebuild runs, another returns None at once instead of queueing behind it."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_ID])
            if not cursor.fetchone()[0]:
                return None
        for model in (ReferralCube, ClockCube, FeedbackTime):
            model.objects.all()._raw_delete(model.objects.db)
        _temp(cursor, "dashboard_tmp_referrals", _referral_facts())
        _temp(cursor, "dashboard_tmp_clocks", _clock_facts(now))
        referral_rows = clock_rows = 0
        for by_category in (False, True):
            for dims in (REFERRAL_DIMS, [*REFERRAL_DIMS, "organisation_id"]):
                where = "WHERE f.organisation_id IS NOT NULL" if len(dims) > 3 else ""
                referral_rows += _cube_insert(
                    cursor, table=ReferralCube._meta.db_table, source="dashboard_tmp_referrals",
                    dims=dims, measures=REFERRAL_MEASURES, day="day", extra_cols=["basis"],
                    extra_vals=["'received'"], where=where, by_category=by_category)
                closed = "WHERE f.closed_day IS NOT NULL" + (
                    " AND f.organisation_id IS NOT NULL" if where else "")
                referral_rows += _cube_insert(
                    cursor, table=ReferralCube._meta.db_table, source="dashboard_tmp_referrals",
                    dims=dims, measures=["closed", "closed_silent"], day="closed_day",
                    extra_cols=["basis"], extra_vals=["'closed'"], where=closed,
                    by_category=by_category)
            clock_rows += _cube_insert(
                cursor, table=ClockCube._meta.db_table, source="dashboard_tmp_clocks",
                dims=["kind", "rating", *REFERRAL_DIMS], measures=CLOCK_MEASURES, day="day",
                by_category=by_category)
        times = time_to_feedback(Referral.objects.filter(received_at__isnull=False)).annotate(
            sector=Coalesce(F("organisation__sector"), Value(""), output_field=CharField()),
        ).values("pk", "received_at", *REFERRAL_DIMS, "categories", "organisation_id",
                 "to_feedback")
        sql, params = times.query.sql_with_params()
        cursor.execute(
            f"INSERT INTO {FeedbackTime._meta.db_table} (referral_id, received_at, pathway, "  # noqa: S608
            "sector, urgent, categories, organisation_id, to_feedback) SELECT t.pk, "
            "t.received_at, t.pathway, t.sector, t.urgent, t.categories, t.organisation_id, "
            f"t.to_feedback FROM ({sql}) t", params)
        for name in ("dashboard_tmp_referrals", "dashboard_tmp_clocks"):
            cursor.execute(f"DROP TABLE {name}")
        feedback_percentiles_rebuild(now=now)
        return SummaryRefresh.objects.create(
            finished_at=now, as_at=now, seconds=time.perf_counter() - started,
            referral_rows=referral_rows, clock_rows=clock_rows)
