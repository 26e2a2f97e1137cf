"""What every figure is computed from: the person's scope, the filters, the window and `now`.

Every queryset here is permission-scoped first (a lead's organisation, a manager's pathway)
and then filtered; figures never see rows outside the scope.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q

from pathways.models import Deadline
from referrals.models import Referral

from ..periods import Window, period_key, period_label
from ..scope import Scope
from ..sql import category_q, distinct_categories


def _deadline_has(name: str) -> bool:
    # The clocks work adds Deadline.cancelled_at and Deadline.variant (the RAG rating); read
    # them when present so this app works before and after that lands.
    return any(f.name == name for f in Deadline._meta.get_fields())


@dataclass
class Context:
    scope: Scope
    filters: dict
    now: datetime
    _categories: list | None = field(default=None, repr=False)

    @property
    def window(self) -> Window:
        return Window.last_months(months=self.filters["months"], grain=self.filters["grain"],
                                  now=self.now)

    @property
    def pathway(self) -> str | None:
        return self.scope.pathway or self.filters.get("pathway")

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
        if self.filters.get("urgency") == "urgent":
            q &= Q(**{f"{p}urgent": True})
        elif self.filters.get("urgency") == "not_urgent":
            q &= Q(**{f"{p}urgent": False})
        if self.filters.get("category"):
            q &= category_q(self.filters["category"], prefix)
        return q

    def referrals(self, *, on: str = "received_at", window: Window | None = None):
        """Referrals in scope whose `on` time falls in the window, with `period` annotated."""
        window = window or self.window
        return (
            Referral.objects.filter(self.referral_q())
            .filter(**{f"{on}__gte": window.start_at, f"{on}__lte": self.now})
            .annotate(period=window.trunc(on))
        )

    def deadlines(self, *kinds: str, on: str = "starts_at"):
        window = self.window
        qs = Deadline.objects.filter(self.referral_q("referral__"), kind__in=kinds)
        if _deadline_has("cancelled_at"):
            qs = qs.filter(cancelled_at__isnull=True)
        return qs.filter(**{f"{on}__gte": window.start_at, f"{on}__lte": self.now}).annotate(
            period=window.trunc(on)
        )

    def open_deadlines(self):
        qs = Deadline.objects.filter(self.referral_q("referral__"), met_at__isnull=True,
                                     paused_at__isnull=True)
        if _deadline_has("cancelled_at"):
            qs = qs.filter(cancelled_at__isnull=True)
        return qs

    def categories(self) -> list[str]:
        """Categories used in the scope and window (not narrowed by the category filter, so the
        filter can offer them). One query, cached for the request."""
        if self._categories is None:
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
