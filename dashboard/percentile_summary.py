"""Precompute time-to-feedback percentiles for the unfiltered dashboard views.

A percentile is not additive, so the cubes cannot hold it; sorting half a million durations on
every page view is what made the live page slow. The rebuild computes, per grain, each period's
percentiles (per pathway and for all) and each window's (3, 6, 12, 24 months). On PostgreSQL
that is two queries per grain with FILTERed percentile_cont aggregates; on SQLite (the demo,
small data) a loop over the same generic percentile function.
"""

from datetime import date, datetime

from django.db.models import Count, Q

from pathways.models import Pathway

from .forms import MONTH_CHOICES
from .models import FeedbackPercentile, FeedbackTime
from .periods import LONDON, Window, london_midnight, period_key, period_next, period_start
from .sql import PercentileCont, is_postgres, percentiles

WINDOWS = sorted(int(m) for m, _ in MONTH_CHOICES)
GRAIN_NAMES = ("week", "month", "quarter")


def feedback_percentiles_rebuild(*, now: datetime) -> int:
    FeedbackPercentile.objects.all()._raw_delete(FeedbackPercentile.objects.db)
    rows = []
    for grain in GRAIN_NAMES:
        widest = Window.last_months(months=max(WINDOWS), grain=grain, now=now)
        base = FeedbackTime.objects.filter(received_at__gte=widest.start_at,
                                           received_at__lte=now)
        periods = base.annotate(period=widest.trunc("received_at"))
        starts = {m: Window.last_months(months=m, grain=grain, now=now).start_at
                  for m in WINDOWS}
        rows += _periods(periods, grain)
        rows += _windows(base, grain, starts)
    FeedbackPercentile.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def feedback_percentiles_update(*, now: datetime, previous: datetime,
                                touched: list[datetime]) -> int:
    """What feedback_percentiles_rebuild(now=now) would write, given the rows it wrote as at
    `previous` and the receipt times of every feedback time added, removed or moved since:
    only the periods holding a touched time are sorted again, and the whole windows only when
    a touched time falls inside them or they moved (a new week, month or quarter began)."""
    rows = []
    for grain in GRAIN_NAMES:
        widest = Window.last_months(months=max(WINDOWS), grain=grain, now=now)
        before = Window.last_months(months=max(WINDOWS), grain=grain, now=previous)
        current = period_start(now.astimezone(LONDON).date(), grain)
        periods = {period_start(t.astimezone(LONDON).date(), grain) for t in touched}
        periods = {p for p in periods if widest.start <= p <= current}
        stale = Q(period__in=periods)
        if widest.start != before.start or now < previous:
            stale |= Q(period__lt=widest.start) | Q(period__gt=current)
        starts = {m: Window.last_months(months=m, grain=grain, now=now).start_at
                  for m in WINDOWS}
        moved = any(Window.last_months(months=m, grain=grain, now=previous).start_at != start
                    for m, start in starts.items())
        windows = moved or any(t >= min(widest.start_at, before.start_at) for t in touched)
        if windows:
            stale |= Q(period__isnull=True)
        if periods or windows or widest.start != before.start or now < previous:
            FeedbackPercentile.objects.filter(stale, grain=grain)._raw_delete(
                FeedbackPercentile.objects.db)
        base = FeedbackTime.objects.filter(received_at__gte=widest.start_at,
                                           received_at__lte=now)
        if periods:
            within = Q()
            for start, end in _runs(sorted(periods), grain):
                within |= Q(received_at__gte=london_midnight(start),
                            received_at__lt=london_midnight(end))
            rows += _periods(base.filter(within).annotate(period=widest.trunc("received_at")),
                             grain)
        if windows:
            rows += _windows(base, grain, starts)
    FeedbackPercentile.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _runs(starts: list[date], grain: str):
    """Consecutive periods merged into (first start, end) ranges."""
    run_start = run_end = None
    for start in starts:
        if run_end == start:
            run_end = period_next(start, grain)
            continue
        if run_start is not None:
            yield run_start, run_end
        run_start, run_end = start, period_next(start, grain)
    if run_start is not None:
        yield run_start, run_end


def _periods(periods, grain) -> list[FeedbackPercentile]:
    out = []
    if is_postgres():
        # All pathways, then each pathway, in two sorts rather than five.
        aggregates = {"n": Count("pk"), "a": PercentileCont("to_feedback", 0.5),
                      "b": PercentileCont("to_feedback", 0.9)}
        rows = [("", r) for r in periods.values("period").annotate(**aggregates).order_by()]
        rows += [(r["pathway"], r) for r in
                 periods.values("period", "pathway").annotate(**aggregates).order_by()]
        return [FeedbackPercentile(grain=grain, period=period_key(r["period"]), pathway=pathway,
                                   n=r["n"], p50=r["a"], p90=r["b"]) for pathway, r in rows]
    for pathway in ["", *Pathway.values]:
        qs = periods.filter(pathway=pathway) if pathway else periods
        for key, v in percentiles(qs, value="to_feedback", group="period").items():
            out.append(FeedbackPercentile(grain=grain, period=period_key(key), pathway=pathway,
                                          n=v["n"], p50=v[0.5], p90=v[0.9]))
    return out


def _windows(base, grain, starts) -> list[FeedbackPercentile]:
    out = []
    if is_postgres():
        aggregates = {}
        for m, start in starts.items():
            since = Q(received_at__gte=start)
            aggregates |= {f"n{m}": Count("pk", filter=since),
                           f"a{m}": PercentileCont("to_feedback", 0.5, filter=since),
                           f"b{m}": PercentileCont("to_feedback", 0.9, filter=since)}
        results = [("", base.aggregate(**aggregates))]
        results += [(r["pathway"], r) for r in
                    base.values("pathway").annotate(**aggregates).order_by()]
        for pathway, r in results:
            out += [FeedbackPercentile(grain=grain, months=m, pathway=pathway, n=r[f"n{m}"],
                                       p50=r[f"a{m}"], p90=r[f"b{m}"]) for m in starts]
        return out
    for pathway in ["", *Pathway.values]:
        for m, start in starts.items():
            qs = base.filter(received_at__gte=start)
            qs = qs.filter(pathway=pathway) if pathway else qs
            v = percentiles(qs, value="to_feedback", group=None).get(None)
            out.append(FeedbackPercentile(grain=grain, months=m, pathway=pathway,
                                          n=v["n"] if v else 0, p50=v[0.5] if v else None,
                                          p90=v[0.9] if v else None))
    return out
