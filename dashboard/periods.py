"""Reporting periods (week, month, quarter) in London time.

Referrals are stored in UTC; a period is a London calendar period, so a referral received at
23:30 on 31 March (BST, 22:30 UTC) belongs to March. The database truncates (TruncWeek/Month/
Quarter with tzinfo Europe/London); this module only lists the periods of a window so that
empty periods show as 0 rather than vanish.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek

LONDON = ZoneInfo("Europe/London")

GRAINS = {"week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter}


def period_start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"Unknown grain: {grain!r}")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_next(start: date, grain: str) -> date:
    if grain == "week":
        return start + timedelta(days=7)
    return _add_months(start, 1 if grain == "month" else 3)


def period_label(start: date, grain: str) -> str:
    if grain == "week":
        return f"w/c {start.day} {start:%b %Y}"
    if grain == "month":
        return f"{start:%B %Y}"
    return f"Q{(start.month - 1) // 3 + 1} {start.year} ({start:%b}–{_add_months(start, 2):%b})"


def london_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


@dataclass(frozen=True)
class Window:
    """The periods shown: from the start of the first period to now."""

    grain: str
    start: date
    now: datetime

    @classmethod
    def last_months(cls, *, months: int, grain: str, now: datetime) -> "Window":
        today = now.astimezone(LONDON).date()
        first = _add_months(today.replace(day=1), -(months - 1))
        return cls(grain=grain, start=period_start(first, grain), now=now)

    @property
    def start_at(self) -> datetime:
        return london_midnight(self.start)

    def periods(self) -> list[date]:
        today = self.now.astimezone(LONDON).date()
        starts, current = [], self.start
        while current <= today:
            starts.append(current)
            current = period_next(current, self.grain)
        return starts

    def trunc(self, field: str):
        return GRAINS[self.grain](field, tzinfo=LONDON)

    def describe(self) -> str:
        today = self.now.astimezone(LONDON).date()
        return f"{self.start:%-d %B %Y} to {today:%-d %B %Y}"


def period_key(value) -> date:
    """The database's truncated value (aware datetime, or date) as a London date."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(LONDON)
        return value.date()
    return value
