"""Parallel duties (issue 16, part 4): by duty, how many referrals triggered it, and how many
staff have recorded as done, as not needed, or not yet. Counted live from the checklist's rows
(a few per referral with a duty): a duty counts in the window when its referral was received
in it. Staff figures only (the duties are internal)."""

from django.db.models import Count, Q

from referrals.models import DutyState, ReferralDuty

from .. import charts
from ..tables import Column, Table
from .context import Context


def duties_by_kind(ctx: Context) -> Table:
    q = Q(triggered_at__gte=ctx.window.start_at, triggered_at__lte=ctx.now)
    if ctx.pathway:
        q &= Q(referral__pathway=ctx.pathway)
    if ctx.scope.organisation_id is not None:
        q &= Q(referral__organisation_id=ctx.scope.organisation_id)
    if ctx.filters.get("sector"):
        q &= Q(referral__organisation__sector=ctx.filters["sector"])
    rows = (ReferralDuty.objects.filter(q).values("duty__name", "duty__order")
            .annotate(n=Count("id"), done=Count("id", filter=Q(state=DutyState.DONE)),
                      not_needed=Count("id", filter=Q(state=DutyState.NOT_NEEDED)),
                      pending=Count("id", filter=Q(state=DutyState.PENDING)))
            .order_by("duty__order", "duty__name"))
    table = Table(
        slug="duties", title="Parallel duties, by duty",
        description=f"Referrals received {ctx.window.describe()} whose answers triggered a "
                    "parallel duty (MARAC, Prevent, the modern slavery duty to notify, private "
                    "fostering, the Emergency Duty Team out of hours, PiPoT), and what staff "
                    "have recorded for each.",
        columns=[Column("Duty", "text"), Column("Triggered"), Column("Done"),
                 Column("Not needed"), Column("Not yet recorded")])
    for r in rows:
        table.rows.append([r["duty__name"], r["n"], r["done"], r["not_needed"], r["pending"]])
    totals = [sum(row[i] for row in table.rows) for i in range(1, 5)]
    table.rows.append(["All duties", *totals])
    table.chart = charts.bar_chart(
        title="Parallel duties by what staff recorded, all duties",
        desc="Horizontal bars: done, not needed, not yet recorded; each labelled with its "
             "number of duties.",
        bars=[("Done", totals[1]), ("Not needed", totals[2]), ("Not yet recorded", totals[3])],
        unit="duties")
    return table
