"""Precompute time-to-feedback percentiles for the unfiltered dashboard views.

A percentile is not additive, so the cubes cannot hold it; sorting half a million durations on
every page view is what made the live page slow. The rebuild computes, per grain, each period's
percentiles (per pathway and for all) and each window's (3, 6, 12, 24 months). On PostgreSQL
the periods are two queries per grain with percentile_cont, the windows of every grain a few
queries together (dashboard/window_percentiles.py); on SQLite (the demo, small data) a loop over
the same generic percentile function. An incremental rebuild sorts only the touched periods.
"""

from datetime import date, datetime

from django.db.models import Count, Q

from core.vocabulary import Pathway

from .forms import MONTH_CHOICES
from .models import FeedbackPercentile, FeedbackTime
from .periods import LONDON, Window, london_midnight, period_key, period_next, period_start
from .sql import PercentileCont, is_postgres, percentiles
from .window_percentiles import ALL, window_percentiles

WINDOWS = sorted(int(m) for m, _ in MONTH_CHOICES)
GRAIN_NAMES = ("week", "month", "quarter")


def feedback_percentiles_rebuild(*, now: datetime) -> int:
    FeedbackPercentile.objects.all()._raw_delete(FeedbackPercentile.objects.db)
    rows = []
    for grain in GRAIN_NAMES:
        widest = Window.last_months(months=max(WINDOWS), grain=grain, now=now)
        base = FeedbackTime.objects.filter(received_at__gte=widest.start_at,
                                           received_at__lte=now)
        rows += _periods(base.annotate(period=widest.trunc("received_at")), grain)
    rows += _window_rows(GRAIN_NAMES, now)
    FeedbackPercentile.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def feedback_percentiles_update(*, now: datetime, previous: datetime,
                                touched: list[datetime]) -> int:
    """What feedback_percentiles_rebuild(now=now) would write, given the rows it wrote as at
    `previous` and the receipt times of every feedback time added, removed or moved since:
    only the periods holding a touched time are sorted again, and the whole windows only when
    a touched time falls inside them or they moved (a new week, month or quarter began)."""
    rows, window_grains = [], []
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
            window_grains.append(grain)
    if window_grains:
        rows += _window_rows(window_grains, now)
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


def _window_rows(grains, now) -> list[FeedbackPercentile]:
    """Each window's percentiles (per pathway, and "" for all) for the grains given."""
    starts = {g: {m: Window.last_months(months=m, grain=g, now=now).start_at for m in WINDOWS}
              for g in grains}
    if not is_postgres():
        out = []
        for grain in grains:
            widest = starts[grain][max(WINDOWS)]
            base = FeedbackTime.objects.filter(received_at__gte=widest, received_at__lte=now)
            out += _windows_sqlite(base, grain, starts[grain])
        return out
    found = window_percentiles([s for by_m in starts.values() for s in by_m.values()], now)
    out = []
    for grain, by_m in starts.items():
        widest = by_m[max(WINDOWS)]
        # As a GROUP BY pathway over the widest window would: pathways with rows in it.
        pathways = sorted(p for (p, s), v in found.items() if p != ALL and s == widest and v["n"])
        for pathway in ["", *pathways]:
            for m, start in by_m.items():
                v = found.get((pathway or ALL, start)) or {"n": 0, 0.5: None, 0.9: None}
                out.append(FeedbackPercentile(grain=grain, months=m, pathway=pathway, n=v["n"],
                                              p50=v[0.5], p90=v[0.9]))
    return out


def _windows_sqlite(base, grain, starts) -> list[FeedbackPercentile]:
    out = []
    for pathway in ["", *Pathway.values]:
        for m, start in starts.items():
            qs = base.filter(received_at__gte=start)
            qs = qs.filter(pathway=pathway) if pathway else qs
            v = percentiles(qs, value="to_feedback", group=None).get(None)
            out.append(FeedbackPercentile(grain=grain, months=m, pathway=pathway,
                                          n=v["n"] if v else 0, p50=v[0.5] if v else None,
                                          p90=v[0.9] if v else None))
    return out
