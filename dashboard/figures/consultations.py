"""Requests for advice before referring (issue 15), by pathway: how many, how they ended, and
whether the team called back within the `consultation` clock. Counted live (a request counts in
the window when it was made)."""

from django.db.models import Count, F, Q

from consultations.models import Consultation, ConsultationState
from core.vocabulary import Pathway

from .. import charts
from ..tables import Column, Table, percent
from .context import Context


def consultations_by_pathway(ctx: Context) -> Table:
    q = Q(requested_at__gte=ctx.window.start_at, requested_at__lte=ctx.now)
    if ctx.pathway:
        q &= Q(pathway=ctx.pathway)
    if ctx.scope.organisation_id is not None:
        q &= Q(organisation_id=ctx.scope.organisation_id)
    if ctx.filters.get("sector"):
        q &= Q(organisation__sector=ctx.filters["sector"])
    rows = {r["pathway"]: r for r in Consultation.objects.filter(q).values("pathway").annotate(
        n=Count("id"),
        advised=Count("id", filter=Q(state=ConsultationState.ADVISED)),
        converted=Count("id", filter=Q(state=ConsultationState.CONVERTED)),
        waiting=Count("id", filter=Q(state=ConsultationState.WAITING)),
        in_time=Count("id", filter=Q(answered_at__isnull=False, answered_at__lte=F("due_at"))),
    ).order_by()}
    table = Table(
        slug="consultations", title="Requests for advice before referring, by pathway",
        description=f"Requests for advice made {ctx.window.describe()}: advice given, turned "
                    "into a referral (a draft started for the referrer), still waiting, and "
                    "called back within the call-back clock (default the same working day).",
        columns=[Column("Pathway", "text"), Column("Requests"), Column("Advice given"),
                 Column("Turned into a referral"), Column("Waiting for a call back"),
                 Column("Called back in time"), Column("Called back in time (%)", "percent")])
    labels = dict(Pathway.choices)
    for pathway in Pathway.every():
        r = rows.get(pathway)
        if r is None:
            continue
        table.rows.append([labels[pathway], r["n"], r["advised"], r["converted"], r["waiting"],
                           r["in_time"], percent(r["in_time"], r["n"] - r["waiting"])])
    totals = [sum(row[i] for row in table.rows) for i in range(1, 6)]
    table.rows.append(["All pathways", *totals, percent(totals[4], totals[0] - totals[3])])
    table.chart = charts.bar_chart(
        title="Requests for advice by how they ended, all pathways",
        desc="Horizontal bars: advice given, turned into a referral, waiting; each labelled "
             "with its number of requests.",
        bars=[("Advice given", totals[1]), ("Turned into a referral", totals[2]),
              ("Waiting for a call back", totals[3])], unit="requests")
    return table
