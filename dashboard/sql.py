"""Small SQL helpers the ORM lacks: exact percentiles, calendar-month arithmetic in London time,
and "the list of categories contains X" on both PostgreSQL and SQLite."""

import json
from datetime import datetime, timedelta

from django.db import connection, connections
from django.db.models import Aggregate, Count, DateTimeField, DurationField, Func, Q

from core.replica import read_alias


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class PercentileCont(Aggregate):
    """PostgreSQL's exact, interpolated percentile: percentile_cont(p) WITHIN GROUP (ORDER BY x).
    Works on intervals, so a duration comes back as a timedelta."""

    function = "percentile_cont"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, percentile: float, **extra):
        if not 0 <= percentile <= 1:
            raise ValueError("percentile must be between 0 and 1")
        super().__init__(expression, percentile=float(percentile), **extra)


class AddMonths(Func):
    """A timestamp plus N calendar months, counted on the London calendar (so "one month" from
    31 January is 28 or 29 February, as PostgreSQL's interval arithmetic says)."""

    output_field = DateTimeField()

    def __init__(self, expression, months: int):
        self.months = int(months)
        super().__init__(expression)

    def as_postgresql(self, compiler, conn, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (f"((({sql}) AT TIME ZONE 'Europe/London' + interval '{self.months} months')"
                " AT TIME ZONE 'Europe/London')", params)

    def as_sqlite(self, compiler, conn, **extra):
        # SQLite stores UTC text; month arithmetic in UTC differs from London only within an
        # hour of a clock change, which is documented in the README.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', {sql}, '+{self.months} months')", params


def category_q(category: str, prefix: str = "") -> Q:
    """Referrals whose categories list holds `category`."""
    if is_postgres():
        return Q(**{f"{prefix}categories__contains": [category]})
    # SQLite has no JSON containment lookup: match the quoted string in the stored JSON text.
    return Q(**{f"{prefix}categories__icontains": json.dumps(category)})


def distinct_categories(queryset) -> list[str]:
    """Every category used by the referrals in `queryset`, in one query."""
    inner, params = queryset.values("pk").query.sql_with_params()
    if is_postgres():
        # `inner` is SQL Django compiled, with its values still parameters.
        each, kind = "jsonb_array_elements_text(r.categories) j(value)", "jsonb_typeof"
    else:
        each, kind = "json_each(r.categories) j", "json_type"
    sql = (f"SELECT DISTINCT j.value FROM referrals_referral r, {each} "  # noqa: S608
           f"WHERE {kind}(r.categories) = 'array' AND r.id IN ({inner}) ORDER BY j.value")
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall() if row[0]]


def percentiles(queryset, *, value: str, group: str | None, points=(0.5, 0.9)) -> dict:
    """Exact interpolated percentiles of a duration annotation, per `group` (or overall, key
    None), computed in the database: percentile_cont on PostgreSQL, window functions on
    SQLite (which has no percentile aggregate). Returns {group: {"n": int, p: timedelta}}."""
    if is_postgres():
        names = {p: f"p{int(p * 100)}" for p in points}
        aggregates = {names[p]: PercentileCont(value, p) for p in points}
        if group is None:
            row = queryset.aggregate(n=Count("pk"), **aggregates)
            return {None: {"n": row["n"], **{p: row[names[p]] for p in points}}} if row["n"] else {}
        rows = queryset.values(group).annotate(n=Count("pk"), **aggregates).order_by()
        return {r[group]: {"n": r["n"], **{p: r[names[p]] for p in points}} for r in rows}
    return _percentiles_sqlite(queryset, value=value, group=group, points=points)


def _percentiles_sqlite(queryset, *, value, group, points):
    fields = [value] + ([group] if group else [])
    inner, params = queryset.values(*fields).query.sql_with_params()
    group_sql = f'd."{group}"' if group else "0"
    picks = []
    for p in points:
        position = f"CAST({p!r} * (w.n - 1) AS INTEGER)"
        picks.append(f"MAX(CASE WHEN w.i = {position} THEN w.v END)")
        picks.append(f"MAX(CASE WHEN w.i = {position} + 1 THEN w.v END)")
    # Our own fragments around SQL Django compiled (its values stay parameters).
    sql = (
        f"SELECT w.g, w.n, {', '.join(picks)} FROM ("  # noqa: S608
        f'SELECT {group_sql} AS g, d."{value}" AS v, '
        f'ROW_NUMBER() OVER (PARTITION BY {group_sql} ORDER BY d."{value}") - 1 AS i, '
        f"COUNT(*) OVER (PARTITION BY {group_sql}) AS n FROM ({inner}) d) w "
        "GROUP BY w.g, w.n"
    )
    result = {}
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for key, n, *values in rows:
        entry = {"n": n}
        for index, p in enumerate(points):
            low, high = values[2 * index], values[2 * index + 1]
            fraction = p * (n - 1) - int(p * (n - 1))
            micro = low if high is None or fraction == 0 else low + fraction * (high - low)
            entry[p] = timedelta(microseconds=micro)
        result[_sqlite_group(key) if group else None] = entry
    return result


def _sqlite_group(value):
    # Raw SQL skips Django's converters: SQLite hands back the truncated period as text.
    return datetime.fromisoformat(value) if isinstance(value, str) else value
