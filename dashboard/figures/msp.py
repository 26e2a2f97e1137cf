"""Making Safeguarding Personal (issue 15, item 7): at the closure of an adult referral staff
record whether the outcomes the person wanted were achieved (Referral.msp_outcome). Counted
live by pathway: a referral counts in the window when it was closed."""

from django.db.models import Count, Q

from core.vocabulary import MspOutcome, Pathway
from referrals.models import Referral

from .. import charts
from ..tables import Column, Table, percent
from .context import Context


def msp_by_pathway(ctx: Context) -> Table:
    q = ctx.referral_q() & Q(closed_at__gte=ctx.window.start_at, closed_at__lte=ctx.now,
                             pathway__in=Pathway.adult())
    counts = {value: Count("id", filter=Q(msp_outcome=value)) for value in MspOutcome.values}
    rows = {r["pathway"]: r for r in Referral.objects.filter(q).values("pathway").annotate(
        n=Count("id"), **counts).order_by()}
    table = Table(
        slug="msp", title="Making Safeguarding Personal: were the person's outcomes achieved?",
        description=f"Adult referrals closed {ctx.window.describe()}, by whether the outcomes "
                    "the person wanted (asked on the referral form) were achieved, as staff "
                    "recorded at closure. Achieved (%) counts fully or partly achieved, of "
                    "those whose outcomes were asked.",
        columns=[Column("Pathway", "text"), Column("Closed"),
                 *[Column(label) for label in MspOutcome.labels],
                 Column("Achieved, fully or partly (%)", "percent")])
    labels = dict(Pathway.choices)
    for pathway in Pathway.adult():
        r = rows.get(pathway)
        if r is None:
            continue
        table.rows.append([labels[pathway], r["n"], *[r[v] for v in MspOutcome.values],
                           _achieved(*[r[v] for v in MspOutcome.values])])
    totals = [sum(row[i] for row in table.rows) for i in range(1, 6)]
    table.rows.append(["All adult pathways", *totals, _achieved(*totals[1:])])
    table.chart = charts.bar_chart(
        title="Adult referrals closed, by whether the person's outcomes were achieved",
        desc="Horizontal bars, one per answer, each labelled with its number of referrals.",
        bars=list(zip(MspOutcome.labels, totals[1:], strict=True)), unit="referrals")
    return table


def _achieved(fully: int, partly: int, not_achieved: int, not_asked: int) -> float | None:
    """Of those whose desired outcomes were asked, the share achieved fully or partly (the
    measure the Safeguarding Adults Collection reports)."""
    return percent(fully + partly, fully + partly + not_achieved)
