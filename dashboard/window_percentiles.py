"""Exact percentiles of time to feedback for many nested windows at once (PostgreSQL).

Every window ends now and starts at one of a dozen dates (3, 6, 12 and 24 months, per week,
month and quarter). percentile_cont with a FILTER per window sorts each window's rows again:
about eleven times the 24-month rows per rebuild. Here the rows are sorted twice (once for all
pathways, once within each pathway) and a running count per window start gives every row its
rank within each window; the rows at the ranks percentile_cont would read are picked, and the
interpolation is done in SQL with the same interval arithmetic percentile_cont uses (lo +
(hi - lo) * fraction), so the results are identical to percentile_cont's.
"""

import math
from datetime import datetime

from django.db import connections

from core.replica import read_alias

from .models import FeedbackTime

POINTS = (0.5, 0.9)
ALL = ""


def _ranks(n: int, p: float) -> tuple[int, int, float]:
    """percentile_cont's rows (1-based) and fraction, as PostgreSQL computes them in C."""
    position = p * (n - 1)
    first = math.floor(position)
    return first + 1, math.ceil(position) + 1, position - first


def window_percentiles(starts: list[datetime], now: datetime) -> dict:
    """{(pathway or ALL, start): {"n": int, 0.5: timedelta | None, 0.9: ...}} over the
    feedback times received from `start` to `now` (inclusive), for every pathway with any
    row from the earliest start."""
    starts = sorted(set(starts))
    table = FeedbackTime._meta.db_table
    where = "received_at >= %s AND received_at <= %s"
    counts = ", ".join("count(*) FILTER (WHERE received_at >= %s)" for _ in starts)
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(f"SELECT pathway, {counts} FROM {table} WHERE {where} "  # noqa: S608
                       "GROUP BY ROLLUP (pathway)", [*starts, starts[0], now])
        n = {}
        for pathway, *per_start in cursor.fetchall():
            for start, count in zip(starts, per_start, strict=True):
                n[(ALL if pathway is None else pathway, start)] = count
        n.setdefault((ALL, starts[0]), 0)
        for start in starts:
            n.setdefault((ALL, start), 0)
        wanted = {}  # (group, start) -> {rank, ...}
        for key, count in n.items():
            if count:
                wanted[key] = {r for p in POINTS for r in _ranks(count, p)[:2]}
        values = _values(cursor, table, where, starts, now, wanted) if wanted else {}
        return _interpolate(cursor, n, values)


def _values(cursor, table, where, starts, now, wanted) -> dict:
    """{(group, start, rank): the interval's text} for every wanted rank."""
    running = []
    picks = []
    params = []
    for i, start in enumerate(starts):
        running.append(f"count(*) FILTER (WHERE received_at >= %s) OVER wa AS a{i}, "
                       f"count(*) FILTER (WHERE received_at >= %s) OVER wb AS b{i}")
        params += [start, start]
    pick_params = []
    for i, start in enumerate(starts):
        overall = sorted(wanted.get((ALL, start), ()))
        within = sorted({r for (g, s), ranks in wanted.items() if g != ALL and s == start
                         for r in ranks})
        if overall or within:
            picks.append(f"(received_at >= %s AND (b{i} = ANY(%s) OR a{i} = ANY(%s)))")
            pick_params += [start, overall, within]
    sql = (f"SELECT pathway, received_at, to_feedback::text, {', '.join(f'a{i}, b{i}' for i in range(len(starts)))} "  # noqa: S608, E501
           f"FROM (SELECT pathway, received_at, to_feedback, {', '.join(running)} "
           f"FROM {table} WHERE {where} "
           "WINDOW wa AS (PARTITION BY pathway ORDER BY to_feedback ROWS UNBOUNDED PRECEDING), "
           "wb AS (ORDER BY to_feedback ROWS UNBOUNDED PRECEDING)) r "
           f"WHERE {' OR '.join(picks)}")
    cursor.execute(sql, [*params, starts[0], now, *pick_params])
    out = {}
    for pathway, received_at, value, *ranks in cursor.fetchall():
        for i, start in enumerate(starts):
            if received_at < start:
                continue  # outside this window: its running count is a neighbour's rank
            within, overall = ranks[2 * i], ranks[2 * i + 1]
            if overall in wanted.get((ALL, start), ()):
                out[(ALL, start, overall)] = value
            if within in wanted.get((pathway, start), ()):
                out[(pathway, start, within)] = value
    return out


def _interpolate(cursor, n: dict, values: dict) -> dict:
    result, rows = {}, []
    for key, count in n.items():
        result[key] = {"n": count, **{p: None for p in POINTS}}
        if not count:
            continue
        for p in POINTS:
            first, second, fraction = _ranks(count, p)
            rows.append((key, p, values[(*key, first)], values[(*key, second)],
                         fraction if second > first else 0.0))
    if rows:
        # percentile_cont's own arithmetic: lo + (hi - lo) * fraction, on intervals.
        placeholders = ", ".join("(%s, %s::interval, %s::interval, %s::float8)" for _ in rows)
        params = [x for i, (_, _, lo, hi, f) in enumerate(rows) for x in (i, lo, hi, f)]
        cursor.execute("SELECT v.i, CASE WHEN v.f = 0 THEN v.lo ELSE v.lo + (v.hi - v.lo) * v.f "  # noqa: S608
                       f"END FROM (VALUES {placeholders}) v(i, lo, hi, f) ORDER BY v.i", params)
        for i, value in cursor.fetchall():
            key, p = rows[i][0], rows[i][1]
            result[key][p] = value
    return result
