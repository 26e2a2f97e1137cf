"""The figures a manager looks for first, at the top of the dashboard: each against its London
target, this period beside the one before (issue 18). Read from the section tables already
built for the page (no queries of their own), so the headline and the table always agree."""

from dataclasses import dataclass

# slug of the table, headline title, column of its percentage, the target in words
TARGETS = [
    ("concern-decisions", "Concern decisions on time", 3,
     "Target: a decision the same working day (London multi-agency policy)"),
    ("mash-decisions", "MASH decisions on time", 3,
     "Target: a decision within one working day (Working Together 2023)"),
    ("enquiries", "Enquiries within two months", 7,
     "Target: within one to two months (London multi-agency policy)"),
    ("feedback-channel", "Referrers told what happened", 3,
     "Target: every referrer (the borough's rule since July 2024)"),
]


@dataclass(frozen=True)
class Headline:
    slug: str
    title: str
    value: str  # "75%", "3", or "No figures yet"
    target: str
    trend: str  # "Up 25 points from 50% in March 2026", "" when there is nothing to compare
    period: str  # the period the value is for ("April 2026"), or "now"
    met: bool | None  # the target met: True / False; None when it cannot be said


def _pct(value: float | None) -> str:
    return "No figures yet" if value is None else f"{round(value)}%"


def _trend(now: float | None, before: float | None, before_label: str) -> str:
    if now is None or before is None:
        return "" if before is None else f"{round(before)}% in {before_label}"
    change = round(now) - round(before)
    if change == 0:
        return f"The same as {before_label} ({round(before)}%)"
    return (f"{'Up' if change > 0 else 'Down'} {abs(change)} point{'s' if abs(change) != 1 else ''}"
            f" from {round(before)}% in {before_label}")


def headlines(sections: list[dict]) -> list[Headline]:
    tables = {t.slug: t for s in sections for t in s["tables"]}
    out = []
    for slug, title, column, target in TARGETS:
        table = tables.get(slug)
        if table is None or len(table.rows) < 2:
            continue
        periods = table.rows[:-1]  # the last row is "All periods"
        # The latest period with figures (a new month may have none yet), and the one before.
        latest = max((i for i, row in enumerate(periods) if row[column] is not None),
                     default=len(periods) - 1)
        current = periods[latest]
        previous = periods[latest - 1] if latest > 0 else None
        value = current[column]
        out.append(Headline(
            slug=slug, title=title, value=_pct(value), target=target,
            trend=_trend(value, previous[column] if previous else None,
                         previous[0] if previous else ""),
            period=current[0], met=None if value is None else value >= 100 - 1e-9))
    breaches = tables.get("open-breaches")
    if breaches is not None:
        count = breaches.rows[-1][1] if breaches.rows else 0
        out.append(Headline(
            slug="open-breaches", title="Open breaches", value=str(count),
            target="Target: none (every clock met or paused with a reason)", trend="",
            period="now", met=count == 0))
    return out
