"""Outcomes of the first decision: for adults, the share that were safeguarding concerns, met
section 42, and led to an enquiry; for children, MASH decisions by outcome."""

from core.vocabulary import Outcome

from .. import charts
from ..tables import Column, Table, percent
from .context import Context, by_period


def adult_outcomes(ctx: Context) -> Table:
    rows = (ctx.referrals().values("period").annotate(
        decided=ctx.sum("adult_decided"), concern=ctx.sum("concern"), s42=ctx.sum("s42"),
        enquiry=ctx.sum("enquiry")).order_by())
    grouped = by_period(rows)
    keys = ["decided", "concern", "s42", "enquiry"]

    def build(period_rows):
        s = {k: sum(r[k] for r in period_rows) for k in keys}
        return [s["decided"], s["concern"], percent(s["concern"], s["decided"]), s["s42"],
                percent(s["s42"], s["decided"]), s["enquiry"], percent(s["enquiry"], s["decided"])]

    table = Table(
        slug="adult-outcomes",
        title="Adult referrals: safeguarding concerns, section 42 met, enquiries",
        description=f"Adult referrals received {ctx.window.describe()} with a concern decision, "
                    f"per {ctx.window.grain}.",
        columns=[Column("Period", "text"), Column("Referrals with a decision"),
                 Column("Safeguarding concerns"), Column("Safeguarding concerns (%)", "percent"),
                 Column("Section 42 met"), Column("Section 42 met (%)", "percent"),
                 Column("Led to an enquiry"), Column("Led to an enquiry (%)", "percent")],
        rows=ctx.period_rows(grouped, build))
    t = [sum(r[i] for r in table.rows) for i in (1, 2, 4, 6)]
    table.rows.append(["All periods", t[0], t[1], percent(t[1], t[0]), t[2], percent(t[2], t[0]),
                       t[3], percent(t[3], t[0])])
    total = table.rows[-1]
    table.chart = charts.bar_chart(
        title="Adult referrals by outcome, all periods",
        desc="Three horizontal bars, each labelled with its share of adult referrals with a "
             "decision.",
        bars=[("Safeguarding concern", total[3]), ("Section 42 met", total[5]),
              ("Led to an enquiry", total[7])], unit="percent", maximum=100)
    return table


def mash_outcomes(ctx: Context) -> Table:
    outcomes = list(Outcome.child())
    rows = (ctx.referrals().values("period").annotate(
        **{f"o_{o}": ctx.sum(f"o_{o}") for o in outcomes}).order_by())
    grouped = by_period(rows)
    labels = dict(Outcome.choices)

    def build(period_rows):
        values = [sum(r[f"o_{o}"] for r in period_rows) for o in outcomes]
        return [*values, sum(values)]

    table = Table(
        slug="mash-outcomes", title="MASH decisions by outcome",
        description=f"Children's referrals received {ctx.window.describe()} with a MASH "
                    f"decision, per {ctx.window.grain}.",
        columns=[Column("Period", "text"), *[Column(labels[o]) for o in outcomes],
                 Column("Total")],
        rows=ctx.period_rows(grouped, build))
    table.rows.append(["All periods",
                       *[sum(r[i] for r in table.rows) for i in range(1, len(outcomes) + 2)]])
    table.chart = charts.bar_chart(
        title="MASH decisions by outcome, all periods",
        desc="Horizontal bars, one per outcome, each labelled with its number of decisions.",
        bars=[(labels[o], table.rows[-1][1 + i]) for i, o in enumerate(outcomes)],
        unit="decisions")
    return table
