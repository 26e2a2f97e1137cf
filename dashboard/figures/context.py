"""What every figure is computed from: the person's scope, the filters, the window and `now`,
and where the numbers come from.

Two sources, one set of measures (dashboard/facts.py): `summary` reads the cubes rebuilt by
Celery beat (staff views: fast at a million referrals); `live` sums the same measures over the
referral tables (an organisation's lead, whose referrals are few; or before the first rebuild).
Every queryset is permission-scoped first (a lead's organisation, a manager's pathway) and then
filtered; figures never see rows outside the scope.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import CharField, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from pathways.models import Deadline
from referrals.models import Referral

from ..facts import clock_measures, deadline_has, rag_rating, referral_measures, time_to_feedback
from ..models import (
    ALL_CATEGORIES,
    ClockCube,
    FeedbackPercentile,
    FeedbackTime,
    ReferralCube,
)
from ..periods import GRAINS, LONDON, Window, period_key, period_label
from ..scope import Scope
from ..sql import category_q, distinct_categories


def _sector():
    return Coalesce(F("organisation__sector"), Value(""), output_field=CharField())


@dataclass
class Context:
    scope: Scope
    filters: dict
    now: datetime
    use_summary: bool = False
    _categories: list | None = field(default=None, repr=False)

    @property
    def summary(self) -> bool:
        return self.use_summary

    @property
    def window(self) -> Window:
        return Window.last_months(months=self.filters["months"], grain=self.filters["grain"],
                                  now=self.now)

    @property
    def today(self) -> date:
        return self.now.astimezone(LONDON).date()

    @property
    def pathway(self) -> str | None:
        return self.scope.pathway or self.filters.get("pathway")

    # Conditions ----------------------------------------------------------------------------

    def referral_q(self, prefix: str = "") -> Q:
        """Scope and filters as a condition on referrals (prefix "referral__" from a related
        model). Drafts are never counted."""
        p = prefix
        q = Q(**{f"{p}received_at__isnull": False})
        if self.pathway:
            q &= Q(**{f"{p}pathway": self.pathway})
        if self.scope.organisation_id is not None:
            q &= Q(**{f"{p}organisation_id": self.scope.organisation_id})
        if self.filters.get("sector"):
            q &= Q(**{f"{p}organisation__sector": self.filters["sector"]})
        q &= self._urgency_q(p)
        if self.filters.get("category"):
            q &= category_q(self.filters["category"], prefix)
        return q

    def _urgency_q(self, p="") -> Q:
        if self.filters.get("urgency") == "urgent":
            return Q(**{f"{p}urgent": True})
        if self.filters.get("urgency") == "not_urgent":
            return Q(**{f"{p}urgent": False})
        return Q()

    def cube_q(self, *, category: bool = True, level: str = "cube") -> Q:
        """The same scope and filters on a summary table's columns. `level`: "cube" for
        ReferralCube (organisation_id null = all organisations together), "row" for per-referral
        FeedbackTime, "" for ClockCube (staff only, no organisation column)."""
        q = self._urgency_q()
        org = self.scope.organisation_id
        if level == "cube":
            q &= Q(organisation_id=org) if org is not None else Q(organisation_id__isnull=True)
        elif level == "row" and org is not None:
            q &= Q(organisation_id=org)
        if self.pathway:
            q &= Q(pathway=self.pathway)
        if self.filters.get("sector"):
            q &= Q(sector=self.filters["sector"])
        if category:
            q &= Q(category=self.filters.get("category") or ALL_CATEGORIES)
        return q

    # Sources -------------------------------------------------------------------------------

    def referrals(self, *, on: str = "received_at", window: Window | None = None):
        """Referral rows (live) or cube rows (summary) in the window, with `period`, and
        `pathway`, `sector` ("" for no organisation) and `urgent` to group by."""
        window = window or self.window
        if self.summary:
            return ReferralCube.objects.filter(
                self.cube_q(), basis="received" if on == "received_at" else "closed",
                day__gte=window.start, day__lte=self.today,
            ).annotate(period=GRAINS[window.grain]("day"))
        return (
            Referral.objects.filter(self.referral_q())
            .filter(**{f"{on}__gte": window.start_at, f"{on}__lte": self.now})
            .annotate(period=window.trunc(on), sector=_sector())
        )

    def sum(self, measure: str, **extra):
        """Sum of a referral measure (dashboard/facts.py) over each group."""
        if self.summary:
            return Coalesce(Sum(measure, **extra), 0)
        return Coalesce(Sum(referral_measures()[measure], **extra), 0)

    def category_counts(self, categories: list[str]):
        """Rows of period, category, n: referrals received naming each category."""
        if self.summary:
            return (ReferralCube.objects.filter(
                self.cube_q(category=False), basis="received", category__in=categories,
                day__gte=self.window.start, day__lte=self.today)
                .annotate(period=GRAINS[self.window.grain]("day"))
                .values("period", "category").annotate(n=Sum("received")).order_by())
        aggregates = {f"c{i}": self.sum("received", filter=category_q(c))
                      for i, c in enumerate(categories)}
        rows = self.referrals().values("period").annotate(**aggregates).order_by()
        return [{"period": r["period"], "category": c, "n": r[f"c{i}"]}
                for r in rows for i, c in enumerate(categories)]

    def clocks(self, *kinds: str, rating: bool = False):
        """Deadline rows (live) or clock cube rows (summary) started in the window."""
        window = self.window
        if self.summary:
            # Clocks are a staff figure: the clock cube holds every organisation together.
            if self.scope.organisation_id is not None:
                raise ValueError("No clock figures for an organisation's lead.")
            return ClockCube.objects.filter(
                self.cube_q(level=""), kind__in=kinds, day__gte=window.start, day__lte=self.today,
            ).annotate(period=GRAINS[window.grain]("day"))
        qs = Deadline.objects.filter(self.referral_q("referral__"), kind__in=kinds)
        if deadline_has("cancelled_at"):
            qs = qs.filter(cancelled_at__isnull=True)
        qs = qs.filter(starts_at__gte=window.start_at, starts_at__lte=self.now).annotate(
            period=window.trunc("starts_at"))
        return qs.annotate(rating=rag_rating()) if rating else qs

    def clock_sum(self, measure: str):
        if self.summary:
            return Coalesce(Sum(measure), 0)
        return Coalesce(Sum(clock_measures(self.now)[measure]), 0)

    def feedback_times(self):
        """Rows with `to_feedback` (receipt to first feedback) and `period`."""
        window = self.window
        if self.summary:
            q = self.cube_q(category=False, level="row")
            if self.filters.get("category"):
                q &= category_q(self.filters["category"])
            return FeedbackTime.objects.filter(
                q, received_at__gte=window.start_at, received_at__lte=self.now,
            ).annotate(period=window.trunc("received_at"))
        return time_to_feedback(self.referrals())

    def feedback_percentiles(self):
        """Precomputed ({period: {...}}, overall) for an unfiltered summary view, else None."""
        f = self.filters
        if (not self.summary or self.scope.is_organisation or f.get("sector")
                or f.get("category") or f.get("urgency")):
            return None
        rows = list(FeedbackPercentile.objects.filter(
            Q(period__gte=self.window.start, period__lte=self.today) | Q(months=f["months"]),
            grain=self.window.grain, pathway=self.pathway or ""))
        if not any(r.period is None for r in rows):
            return None  # this window was not precomputed (a new months option)
        per_period, overall = {}, None
        for r in rows:
            entry = {"n": r.n, 0.5: r.p50, 0.9: r.p90}
            if r.period is None:
                overall = entry if r.n else None
            else:
                per_period[r.period] = entry
        return per_period, overall

    def open_deadlines(self):
        """Always live: open clocks are few and indexed (met_at IS NULL), and "now" matters."""
        qs = Deadline.objects.filter(self.referral_q("referral__"), met_at__isnull=True,
                                     paused_at__isnull=True)
        if deadline_has("cancelled_at"):
            qs = qs.filter(cancelled_at__isnull=True)
        return qs

    def categories(self) -> list[str]:
        """Categories used in the scope and window (not narrowed by the category filter, so the
        filter can offer them). One query, cached for the request."""
        if self._categories is None:
            if self.summary:
                self._categories = sorted(set(
                    ReferralCube.objects.filter(
                        self.cube_q(category=False), basis="received",
                        day__gte=self.window.start, day__lte=self.today)
                    .exclude(category=ALL_CATEGORIES)
                    .values_list("category", flat=True).distinct()))
            else:
                ctx = Context(scope=self.scope, filters={**self.filters, "category": None},
                              now=self.now)
                self._categories = distinct_categories(ctx.referrals())
        return self._categories

    def period_rows(self, by_period: dict, build, window: Window | None = None) -> list[list]:
        """One row per period of the window (empty periods included), oldest first."""
        window = window or self.window
        return [[period_label(start, window.grain), *build(by_period.get(start, {}))]
                for start in window.periods()]


def by_period(rows, key: str = "period") -> dict:
    """Aggregated rows keyed by their period's London start date."""
    out = {}
    for row in rows:
        out.setdefault(period_key(row[key]), []).append(row)
    return out
