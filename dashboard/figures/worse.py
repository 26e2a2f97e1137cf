""""Things have got worse" (issue 15, item 4), by pathway: how many times referrers re-flagged
an open referral as urgent, how many of those were out of hours, and for how many the Emergency
Duty Team was emailed. Counted live from the timeline (a few a month): a report counts in the
window when it was made.

Out of hours is what feedback.worse recorded on the event (`detail.out_of_hours`, from the
working calendar at that moment). The Emergency Duty Team was emailed when the report's own EDT
notice (kind `worsened_edt`, dedupe key `worse:<event id>:edt`, written in the same transaction)
is in the outbox and has not failed: sent, or waiting for the worker. No address, or an email the
outbox gave up on, is not counted."""

from django.db.models import CharField, Count, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat

from core.vocabulary import EventKind, Pathway
from outbox.models import Notice, NoticeStatus
from referrals.models import ReferralEvent

from .. import charts
from ..tables import Column, Table
from .context import Context

EDT_NOTICE = "worsened_edt"  # feedback.worse's notice kind for the Emergency Duty Team


def _edt_emailed():
    return Exists(Notice.objects.filter(
        kind=EDT_NOTICE,
        dedupe_key=Concat(Value("worse:"), Cast(OuterRef("pk"), CharField()), Value(":edt")),
    ).exclude(status=NoticeStatus.FAILED))


def worse_by_pathway(ctx: Context) -> Table:
    q = ctx.referral_q("referral__") & Q(kind=EventKind.WORSENED, at__gte=ctx.window.start_at,
                                         at__lte=ctx.now)
    out_of_hours = Q(detail__out_of_hours=True)
    rows = {r["referral__pathway"]: r for r in ReferralEvent.objects.filter(q)
            .values("referral__pathway")
            .annotate(n=Count("id"), out_of_hours=Count("id", filter=out_of_hours),
                      edt=Count("id", filter=out_of_hours & Q(_edt_emailed())))
            .order_by()}
    table = Table(
        slug="worse", title="Things have got worse, by pathway",
        description=f"Times a referrer (or their organisation's safeguarding lead) said things "
                    f"have got worse on an open referral, {ctx.window.describe()}: the referral "
                    "was marked urgent and the team's managers told at once. Out of hours "
                    "(outside the working calendar), the Emergency Duty Team is emailed too; "
                    "an out-of-hours report without an email to them is one where no address "
                    "was set or the email failed.",
        columns=[Column("Pathway", "text"), Column("Reports"), Column("Out of hours"),
                 Column("Emergency Duty Team emailed"),
                 Column("Out of hours, Emergency Duty Team not emailed")])
    labels = dict(Pathway.choices)
    for pathway in Pathway.every():
        r = rows.get(pathway)
        if r is not None:
            table.rows.append([labels[pathway], r["n"], r["out_of_hours"], r["edt"],
                               r["out_of_hours"] - r["edt"]])
    totals = [sum(row[i] for row in table.rows) for i in range(1, 5)]
    table.rows.append(["All pathways", *totals])
    table.chart = charts.bar_chart(
        title="Things have got worse: in and out of hours, all pathways",
        desc="Horizontal bars: reports in working hours, out of hours with the Emergency Duty "
             "Team (EDT) emailed, out of hours without; each labelled with its number of reports.",
        bars=[("In working hours", totals[0] - totals[1]),
              ("Out of hours, EDT emailed", totals[2]),
              ("Out of hours, not emailed", totals[3])],
        unit="reports")
    return table
