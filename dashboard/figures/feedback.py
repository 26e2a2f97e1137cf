"""What referrers were told: share who received feedback (by channel), how long it took
(median and 90th percentile, exact, computed in the database), and referrals closed with no
feedback at all (the borough's rule since July 2024 says this must be zero)."""

from .. import charts
from ..sql import percentiles
from ..tables import Column, Table, percent
from .context import Context, by_period

CHANNELS = [("email", "Email"), ("notify", "GOV.UK Notify"), ("portal", "In the portal"),
            ("phone", "By phone")]


def feedback_channel(ctx: Context) -> Table:
    """Of the referrals received in the period that have a decision (so feedback is owed), how
    many referrers received feedback, and through which channel (one referral can count in
    more than one channel)."""
    rows = (ctx.referrals().values("period").annotate(
        decided=ctx.sum("decided"), given=ctx.sum("given"),
        **{c: ctx.sum(f"fb_{c}") for c, _ in CHANNELS}).order_by())
    grouped = by_period(rows)
    keys = ["decided", "given", *[c for c, _ in CHANNELS]]

    def sums(period_rows):
        return {k: sum(r[k] for r in period_rows) for k in keys}

    def build(period_rows):
        s = sums(period_rows)
        out = [s["decided"], s["given"], percent(s["given"], s["decided"])]
        for c, _ in CHANNELS:
            out += [s[c], percent(s[c], s["decided"])]
        return out

    columns = [Column("Period", "text"), Column("Referrals with a decision"),
               Column("Referrer received feedback"), Column("Received feedback (%)", "percent")]
    for _, label in CHANNELS:
        columns += [Column(label), Column(f"{label} (%)", "percent")]
    table = Table(
        slug="feedback-channel", title="Referrers who received feedback, by channel",
        description=f"Referrals received {ctx.window.describe()} with a decision, per "
                    f"{ctx.window.grain}: how many referrers were given feedback, and how. A "
                    "referral given feedback both in the portal and by email counts in both.",
        columns=columns, rows=ctx.period_rows(grouped, build))
    n = len(columns) - 1
    t = [sum(r[i] for r in table.rows) if columns[i].kind == "count" else None
         for i in range(1, n + 1)]
    total = ["All periods", t[0], t[1], percent(t[1], t[0])]
    for i in range(len(CHANNELS)):
        total += [t[3 + 2 * i], percent(t[3 + 2 * i], t[0])]
    table.rows.append(total)
    table.chart = charts.bar_chart(
        title="Referrers who received feedback, by channel, all periods",
        desc="Horizontal bars: any feedback, then one per channel, each labelled with the "
             "percentage of referrals with a decision.",
        bars=[("Any feedback", total[3]),
              *[(label, total[5 + 2 * i]) for i, (_, label) in enumerate(CHANNELS)]],
        unit="percent", maximum=100)
    return table


def _hours(delta):
    return None if delta is None else delta.total_seconds() / 3600


def feedback_time(ctx: Context) -> Table:
    """Time from receipt to the first feedback given, exact median and 90th percentile."""
    precomputed = ctx.feedback_percentiles()
    if precomputed is not None:
        per_period, overall = precomputed
    else:
        qs = ctx.feedback_times()
        per_period = percentiles(qs, value="to_feedback", group="period")
        overall = percentiles(qs, value="to_feedback", group=None).get(None)
    grouped = by_period([{"period": k, **v} for k, v in per_period.items()])

    def build(period_rows):
        if not period_rows:
            return [0, None, None]
        r = period_rows[0]
        return [r["n"], _hours(r[0.5]), _hours(r[0.9])]

    table = Table(
        slug="feedback-time", title="Time from referral to feedback",
        description=f"Referrals received {ctx.window.describe()} whose referrer has been given "
                    f"feedback, per {ctx.window.grain}: hours from receipt to the first "
                    "feedback (exact median and 90th percentile, interpolated).",
        columns=[Column("Period", "text"), Column("Referrals with feedback"),
                 Column("Median (hours)", "hours"), Column("90th percentile (hours)", "hours")],
        rows=ctx.period_rows(grouped, build))
    table.rows.append(["All periods", overall["n"] if overall else 0,
                       _hours(overall[0.5]) if overall else None,
                       _hours(overall[0.9]) if overall else None])
    table.chart = charts.bar_chart(
        title=f"Median hours from referral to feedback, per {ctx.window.grain}",
        desc=f"Horizontal bars, one per {ctx.window.grain}, each labelled with the median "
             "number of hours; a period with no feedback says so.",
        bars=[(r[0], r[2]) for r in table.rows[:-1]], unit="hours")
    return table


def closed_without_feedback(ctx: Context) -> Table:
    rows = (ctx.referrals(on="closed_at").values("period")
            .annotate(closed=ctx.sum("closed"), silent=ctx.sum("closed_silent")).order_by())
    grouped = by_period(rows)

    def build(period_rows):
        return [sum(r["closed"] for r in period_rows), sum(r["silent"] for r in period_rows)]

    table = Table(
        slug="closed-without-feedback", title="Referrals closed without feedback",
        description=f"Referrals closed {ctx.window.describe()}, per {ctx.window.grain}, and "
                    "how many of them were closed without the referrer ever being given "
                    "feedback. This must be zero.",
        columns=[Column("Period", "text"), Column("Referrals closed"),
                 Column("Closed without feedback")],
        rows=ctx.period_rows(grouped, build))
    table.rows.append(["All periods", sum(r[1] for r in table.rows),
                       sum(r[2] for r in table.rows)])
    return table
