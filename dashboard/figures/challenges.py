"""Challenges to decisions (issue 15): how many referrers disagreed, by pathway and by the
referrer's sector, and how they ended. Counted live from the challenges (a few a month; no
summary table needed): a challenge counts in the window when it was raised in it."""

from django.db.models import Count, Q

from accounts.models import Sector
from challenges.models import Challenge, ChallengeState, ChallengeStep, StepEnd
from core.vocabulary import Pathway

from .. import charts
from ..tables import Column, Table
from .context import Context

STATES = [ChallengeState.UPHELD, ChallengeState.ANSWERED, ChallengeState.AWAITING]


def _in_window(ctx: Context, prefix: str = ""):
    q = ctx.referral_q(f"{prefix}referral__")
    return q & Q(**{f"{prefix}raised_at__gte": ctx.window.start_at,
                    f"{prefix}raised_at__lte": ctx.now})


def challenges_by_pathway_sector(ctx: Context) -> Table:
    sectors = dict(Sector.choices)
    rows = (Challenge.objects.filter(_in_window(ctx))
            .values("referral__pathway", "referral__organisation__sector")
            .annotate(n=Count("id"), **{s.value: Count("id", filter=Q(state=s)) for s in STATES})
            .order_by())
    passed = {
        (r["challenge__referral__pathway"], r["challenge__referral__organisation__sector"]): r["n"]
        for r in ChallengeStep.objects.filter(_in_window(ctx, "challenge__"),
                                              end=StepEnd.UNANSWERED)
        .values("challenge__referral__pathway", "challenge__referral__organisation__sector")
        .annotate(n=Count("id")).order_by()
    }
    order = {p: i for i, p in enumerate(Pathway.every())}
    found = sorted(rows, key=lambda r: (order.get(r["referral__pathway"], 99),
                                        r["referral__organisation__sector"] or ""))
    table = Table(
        slug="challenges", title="Challenges to decisions, by pathway and sector",
        description=f"Decisions that referrers (or their organisation's safeguarding lead) "
                    f"challenged, raised {ctx.window.describe()}, by the pathway and the "
                    "referrer's sector, with where each challenge stands now. A stage passed "
                    "on unanswered is one whose answer was not given in time (the challenge "
                    "clock), so it went to the next stage by itself.",
        columns=[Column("Pathway", "text"), Column("Sector", "text"), Column("Challenges"),
                 Column("Upheld"), Column("Decision stands"), Column("Waiting for an answer"),
                 Column("Stages passed on unanswered")])
    labels = dict(Pathway.choices)
    for r in found:
        key = (r["referral__pathway"], r["referral__organisation__sector"])
        table.rows.append([labels.get(key[0], key[0]), sectors.get(key[1], key[1] or "Unknown"),
                           r["n"], *[r[s.value] for s in STATES], passed.get(key, 0)])
    table.rows.append(["All pathways", "All sectors",
                       *[sum(row[i] for row in table.rows) for i in range(2, 7)]])
    total = table.rows[-1]
    table.chart = charts.bar_chart(
        title="Challenges by where they stand, all pathways and sectors",
        desc="Horizontal bars: upheld, decision stands, waiting; each labelled with "
             "its number of challenges.",
        bars=[("Upheld", total[3]), ("Decision stands", total[4]),
              ("Waiting for an answer", total[5])],
        unit="challenges")
    return table
