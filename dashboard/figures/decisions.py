"""Decisions that explain themselves (issue 15 item 6): adults' concern decisions by the
section 42 criterion not met, and children's (MASH) decisions by the level of need decided.
Counted live from the decisions (one row per decision; a decision counts in the window when it
was made), with the dashboard's scope and filters on the referral."""

from django.db.models import Count, Q

from core.vocabulary import CriterionAnswer, Outcome, Pathway, S42Criterion
from pathways.models import ThresholdLevel
from triage.models import Decision

from .. import charts
from ..tables import Column, Table, percent
from .context import Context

NOT_MET = CriterionAnswer.NOT_MET


def _decisions(ctx: Context):
    return Decision.objects.filter(
        ctx.referral_q("referral__"), action="decide", decided_at__gte=ctx.window.start_at,
        decided_at__lte=ctx.now)


def s42_criteria_not_met(ctx: Context) -> Table:
    criteria = list(S42Criterion)
    rows = {r["referral__pathway"]: r for r in _decisions(ctx).filter(
        referral__pathway__in=Pathway.adult(), outcome__in=Outcome.adult(),
    ).exclude(s42_care_needs="").values("referral__pathway").annotate(
        n=Count("id"),
        no_enquiry=Count("id", filter=~Q(outcome=Outcome.S42_MET)),
        **{c.value: Count("id", filter=Q(**{c.value: NOT_MET})) for c in criteria},
    ).order_by()}
    table = Table(
        slug="s42-criteria",
        title="Adult concern decisions: which section 42 criterion was not met",
        description=f"Adult concern decisions made {ctx.window.describe()} with the three "
                    "section 42 criteria recorded, by pathway: how many led to no enquiry, and "
                    "how often each criterion was not met (one decision can have more than one "
                    "criterion not met). The referrer is told in plain words which one.",
        columns=[Column("Pathway", "text"), Column("Decisions"), Column("No enquiry"),
                 *[Column(f"Not met: {c.label.lower()}") for c in criteria]])
    labels = dict(Pathway.choices)
    for pathway in Pathway.adult():
        if pathway in rows:
            r = rows[pathway]
            table.rows.append([labels[pathway], r["n"], r["no_enquiry"],
                               *[r[c.value] for c in criteria]])
    table.rows.append(["All adult pathways",
                       *[sum(row[i] for row in table.rows) for i in range(1, 3 + len(criteria))]])
    total = table.rows[-1]
    table.chart = charts.bar_chart(
        title="Section 42 criteria not met, all adult pathways",
        desc="Three horizontal bars, one per criterion, each labelled with the number of "
             "decisions where it was not met.",
        bars=[("Care and support needs", total[3]), ("Abuse or neglect", total[4]),
              ("Unable to protect themselves", total[5])], unit="decisions")
    return table


def child_levels_of_need(ctx: Context) -> Table:
    counts = {r["need_level"]: r["n"] for r in _decisions(ctx).filter(
        referral__pathway__in=Pathway.child(), need_level__isnull=False,
    ).values("need_level").annotate(n=Count("id")).order_by()}
    total = sum(counts.values())
    table = Table(
        slug="levels-of-need",
        title="MASH decisions by the child's level of need",
        description=f"Children's (MASH) decisions made {ctx.window.describe()} by the level "
                    "of need decided under the partnership's threshold document.",
        columns=[Column("Level of need", "text"), Column("Decisions"),
                 Column("Share (%)", "percent")])
    for level in ThresholdLevel.objects.all():
        if level.active or counts.get(level.pk):
            table.rows.append([level.name, counts.get(level.pk, 0),
                               percent(counts.get(level.pk, 0), total)])
    table.rows.append(["All levels", total, percent(total, total)])
    table.chart = charts.bar_chart(
        title="MASH decisions by level of need",
        desc="Horizontal bars, one per level, each labelled with its number of decisions.",
        bars=[(row[0], row[1]) for row in table.rows[:-1]], unit="decisions")
    return table
