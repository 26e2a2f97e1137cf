"""Timeliness against the London targets, from the deadlines the clocks recorded.

A clock counts once its result is known: met (met_at set) or overdue (due_at passed unmet).
A clock ended without its work done (the referral withdrawn, merged into another, re-routed to a
pathway without that clock, or closed before a decision: cancelled_at set) is not counted at
all: it is neither a decision made nor one overdue.
"On time" is met_at on or before due_at; due_at already carries the working-day calendar (bank
holidays, out-of-hours receipt), so this module never re-derives working days. Periods are the
period the clock started in (London time).
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q

from core.vocabulary import RagRating

from .. import charts
from ..tables import Column, Table, percent
from .context import Context, by_period

KIND_LABELS = {
    "concern_decision": "Concern decision (same working day)",
    "mash_decision": "MASH decision (one working day)",
    "rag": "RAG response",
    "enquiry": "Section 42 enquiry",
    "feedback": "Feedback to the referrer",
    "urgent_pickup": "Urgent referral picked up",
}


def _on_time_table(ctx: Context, kind: str, *, slug: str, title: str, target: str) -> Table:
    rows = (ctx.clocks(kind).values("period")
            .annotate(known=ctx.clock_sum("known"), met=ctx.clock_sum("on_time")).order_by())
    grouped = by_period(rows)

    def build(period_rows):
        known = sum(r["known"] for r in period_rows)
        met = sum(r["met"] for r in period_rows)
        return [known, met, percent(met, known)]

    table = Table(
        slug=slug, title=title,
        description=f"Clocks started {ctx.window.describe()}, per {ctx.window.grain}. Target: "
                    f"{target}. Counted once made or overdue; a clock still running and not "
                    "yet due is left out. Only decisions count as made: a referral withdrawn, "
                    "merged into another or closed before its decision is left out, and a "
                    "re-routed one counts once, on its new pathway, from when it was first "
                    "received.",
        columns=[Column("Period", "text"), Column("Decisions made or overdue"),
                 Column("Made on time"), Column("Made on time (%)", "percent")],
        rows=ctx.period_rows(grouped, build))
    known = sum(r[1] for r in table.rows)
    met = sum(r[2] for r in table.rows)
    table.rows.append(["All periods", known, met, percent(met, known)])
    table.chart = charts.bar_chart(
        title=f"{title}, per {ctx.window.grain}",
        desc=f"Horizontal bars, one per {ctx.window.grain}, each labelled with the percentage "
             "made on time; a period with no decisions says so.",
        bars=[(r[0], r[3]) for r in table.rows[:-1]], unit="percent", maximum=100)
    return table


def concern_decisions(ctx: Context) -> Table:
    return _on_time_table(ctx, "concern_decision", slug="concern-decisions",
                          title="Concern decisions made the same working day",
                          target="the same working day (London multi-agency policy)")


def mash_decisions(ctx: Context) -> Table:
    return _on_time_table(ctx, "mash_decision", slug="mash-decisions",
                          title="MASH decisions within one working day",
                          target="one working day (Working Together 2023)")


def rag_timescales(ctx: Context) -> Table:
    ratings = [r for r, _ in RagRating.choices]
    rows = (ctx.clocks("rag", rating=True).values("period", "rating")
            .annotate(known=ctx.clock_sum("known"), met=ctx.clock_sum("on_time")).order_by())
    grouped = by_period(rows)

    def build(period_rows):
        out = []
        for rating in ratings:
            known = sum(r["known"] for r in period_rows if r["rating"] == rating)
            met = sum(r["met"] for r in period_rows if r["rating"] == rating)
            out += [known, met, percent(met, known)]
        return out

    columns = [Column("Period", "text")]
    for _, label in RagRating.choices:
        columns += [Column(f"{label}: due or met"), Column(f"{label}: on time"),
                    Column(f"{label}: on time (%)", "percent")]
    table = Table(
        slug="rag", title="RAG timescales met, by rating",
        description=f"MASH RAG clocks started {ctx.window.describe()}, per {ctx.window.grain}. "
                    "Targets (configurable): red 4 hours (nights and weekends included), amber "
                    "one working day, green three working days, from the rating; a re-rating "
                    "restarts the clock and only the last one counts. Met by the MASH "
                    "decision; a referral merged or closed before it is left out.",
        columns=columns, rows=ctx.period_rows(grouped, build))
    totals = ["All periods"]
    for i in range(len(ratings)):
        known = sum(r[1 + 3 * i] for r in table.rows)
        met = sum(r[2 + 3 * i] for r in table.rows)
        totals += [known, met, percent(met, known)]
    table.rows.append(totals)
    table.chart = charts.bar_chart(
        title="RAG timescales met, by rating, all periods",
        desc="Three horizontal bars, red, amber and green, each named and labelled with the "
             "percentage met on time.",
        bars=[(label, totals[3 + 3 * i]) for i, (_, label) in enumerate(RagRating.choices)],
        unit="percent", maximum=100)
    return table


def enquiries(ctx: Context) -> Table:
    rows = (ctx.clocks("enquiry").values("period").annotate(
        **{k: ctx.clock_sum(k) for k in ("started", "known1", "within1", "known2", "within2")})
        .order_by())
    grouped = by_period(rows)
    keys = ["started", "known1", "within1", "known2", "within2"]

    def build(period_rows):
        s = {k: sum(r[k] for r in period_rows) for k in keys}
        return [s["started"], s["known1"], s["within1"], percent(s["within1"], s["known1"]),
                s["known2"], s["within2"], percent(s["within2"], s["known2"])]

    table = Table(
        slug="enquiries", title="Enquiries concluded within one month and within two months",
        description=f"Section 42 enquiries started {ctx.window.describe()}, per "
                    f"{ctx.window.grain}. An enquiry counts towards a target once it has "
                    "concluded (moved to plan and review, or closed by the manager) or the "
                    "target date has passed: one or two calendar months after the decision "
                    "that opened it, at the same time of day.",
        columns=[Column("Period", "text"), Column("Enquiries started"),
                 Column("Concluded or a month old"), Column("Within one month"),
                 Column("Within one month (%)", "percent"),
                 Column("Concluded or two months old"), Column("Within two months"),
                 Column("Within two months (%)", "percent")],
        rows=ctx.period_rows(grouped, build))
    t = [sum(r[i] for r in table.rows) if i not in (4, 7) else None for i in range(1, 8)]
    table.rows.append(["All periods", t[0], t[1], t[2], percent(t[2], t[1]), t[4], t[5],
                       percent(t[5], t[4])])
    total = table.rows[-1]
    table.chart = charts.bar_chart(
        title="Enquiries concluded on time, all periods",
        desc="Two horizontal bars: the percentage concluded within one month and within two "
             "months, each labelled.",
        bars=[("Within one month", total[4]), ("Within two months", total[7])],
        unit="percent", maximum=100)
    return table


AGE_BANDS = [
    ("Less than 1 day", 0, 1),
    ("1 day up to 7 days", 1, 7),
    ("7 days up to 30 days", 7, 30),
    ("30 days or more", 30, None),
]


def _open_breach_rows(ctx: Context) -> tuple[list[dict], object]:
    """The overdue clocks counted now, or up to DASHBOARD_LIVE_SECONDS ago for the same scope
    and filters (one count a minute per web process, however many managers look; the page
    states the time it was counted). 0 counts on every request."""
    def count(now):
        bands = {}
        for i, (_, low, high) in enumerate(AGE_BANDS):
            q = Q(due_at__lte=now - timedelta(days=low))
            if high is not None:
                q &= Q(due_at__gt=now - timedelta(days=high))
            bands[f"b{i}"] = Count("pk", filter=q)
        return list(ctx.open_deadlines().filter(due_at__lt=now).values("kind")
                    .annotate(n=Count("pk"), oldest=Min("due_at"), **bands).order_by())

    seconds = settings.DASHBOARD_LIVE_SECONDS
    if seconds <= 0:
        return count(ctx.now), ctx.now
    # The key is a digest of the query's scope and filters (ids and codes, nothing personal).
    scope = str(ctx.open_deadlines().query).encode()
    key = "dashboard:open-breaches:" + hashlib.sha256(scope).hexdigest()
    counted = cache.get(key)
    if counted is None or counted[1] > ctx.now:
        counted = (count(ctx.now), ctx.now)
        cache.set(key, counted, seconds)
    return counted


def open_breaches(ctx: Context) -> Table:
    """Clocks overdue right now, by kind and age (time since due). Paused clocks are not
    breaching. Not limited to the window: a breach from last year is still open today."""
    rows, now = _open_breach_rows(ctx)
    found = {r["kind"]: r for r in rows}
    kinds = [k for k in KIND_LABELS if k in found] + sorted(set(found) - set(KIND_LABELS))
    table = Table(
        slug="open-breaches", title="Open breaches now, and their age",
        description=f"Clocks past their due time and not met, as at {now:%-d %B %Y %H:%M} "
                    "UTC. Age is the time since the clock fell due. Paused clocks, and clocks "
                    "ended because the referral was withdrawn, merged or closed, are left out.",
        columns=[Column("Clock", "text"), Column("Open breaches"),
                 *[Column(label) for label, _, _ in AGE_BANDS],
                 Column("Oldest (days overdue)", "days")])
    for kind in kinds:
        r = found[kind]
        table.rows.append([KIND_LABELS.get(kind, kind), r["n"],
                           *[r[f"b{i}"] for i in range(len(AGE_BANDS))],
                           (now - r["oldest"]).total_seconds() / 86400])
    table.rows.append(["All clocks", sum(r[1] for r in table.rows),
                       *[sum(r[2 + i] for r in table.rows) for i in range(len(AGE_BANDS))],
                       max((r[-1] for r in table.rows), default=None)])
    table.chart = charts.bar_chart(
        title="Open breaches now, by age",
        desc="Horizontal bars, one per age band, each labelled with the number of open "
             "breaches.",
        bars=[(label, table.rows[-1][2 + i]) for i, (label, _, _) in enumerate(AGE_BANDS)],
        unit="breaches")
    return table
