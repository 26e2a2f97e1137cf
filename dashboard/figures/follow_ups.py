"""Follow-ups handed to a colleague (issue 15, item 2), by the organisation's sector: how often
an organisation's safeguarding lead handed a referral's follow-up to a colleague (the referrer
away or gone), and how many referrals that touched. Counted live from the timeline (the
`follow_up_passed` event, a few a month): a hand-over counts in the window when it was made.
Staff figures only."""

from django.db.models import Count, Q

from accounts.models import Sector
from core.vocabulary import EventKind
from referrals.models import ReferralEvent

from ..tables import Column, Table
from .context import Context


def follow_ups_by_sector(ctx: Context) -> Table:
    q = ctx.referral_q("referral__") & Q(kind=EventKind.FOLLOW_UP_PASSED,
                                         at__gte=ctx.window.start_at, at__lte=ctx.now)
    rows = (ReferralEvent.objects.filter(q).values("referral__organisation__sector")
            .annotate(n=Count("id"), referrals=Count("referral_id", distinct=True))
            .order_by("referral__organisation__sector"))
    table = Table(
        slug="follow-ups", title="Follow-ups handed to a colleague, by sector",
        description=f"Times an organisation's safeguarding lead handed a referral's follow-up "
                    f"to a colleague (or back to the referrer), {ctx.window.describe()}, by the "
                    "organisation's sector, and how many referrals were handed on.",
        columns=[Column("Sector", "text"), Column("Hand-overs"), Column("Referrals")])
    sectors = dict(Sector.choices)
    for r in rows:
        sector = r["referral__organisation__sector"]
        table.rows.append([sectors.get(sector, sector or "Unknown"), r["n"], r["referrals"]])
    table.rows.append(["All sectors", sum(row[1] for row in table.rows),
                       sum(row[2] for row in table.rows)])
    return table
