"""The council's working calendar: pure functions of the moment and the calendar.

Working time is Monday to Friday, 09:00 to 17:00 Europe/London, excluding England and Wales
bank holidays (substitute days included; from the offline `holidays` package, cross-checked
against GOV.UK's published dates in tests/pathways/test_calendar.py) and council closure days
that administrators add.

Every function takes timezone-aware datetimes and returns them in UTC: we store UTC and compute
in Europe/London, so the clock changes in March and October move nothing. The working window
(09:00-17:00) never contains a clock change (they happen at 01:00 UTC), so a working day is
always eight real hours long.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, cached_property
from zoneinfo import ZoneInfo

import holidays

from core.timetext import instant_text

LONDON = ZoneInfo("Europe/London")
ZERO = timedelta(0)
# A guard, not a rule: no real calendar has ten years without a working day.
_MAX_DAYS_SEARCHED = 3660


@cache
def _bank_holidays(year: int) -> dict[date, str]:
    """England and Wales bank holidays of one year, substitute days included ("(observed)")."""
    return dict(holidays.UK(subdiv="ENG", years=year).items())


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; naive datetimes are refused (we never guess a zone here)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"need a timezone-aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    """The same instant in Europe/London."""
    return as_utc(moment).astimezone(LONDON)


def format_local(moment: datetime) -> str:
    """'Fri 24 May 2024 18:00 BST': how explanations show an instant (core.timetext formats
    every time the portal shows)."""
    return instant_text(to_local(moment))  # to_local refuses a naive time


def format_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _as_timedelta(hours: float | int | timedelta) -> timedelta:
    return hours if isinstance(hours, timedelta) else timedelta(hours=hours)


def format_duration(span: timedelta) -> str:
    """'2 h', '7 h 30 min', '45 min'."""
    minutes = round(span.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    if hours:
        return f"{hours} h"
    return f"{minutes} min"


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days and hours. Frozen so a computation cannot change the calendar it was given.

    `closure_days` is a mapping (or pairs) of date -> name, e.g. {date(2026, 12, 24): "Council
    closure"}; it is stored as a sorted tuple so the calendar stays hashable.
    """

    closure_days: Mapping[date, str] | Iterable[tuple[date, str]] = ()
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    _closures: dict[date, str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        pairs = (
            self.closure_days.items()
            if isinstance(self.closure_days, Mapping)
            else self.closure_days
        )
        closures = {day: (name or "council closure") for day, name in pairs}
        object.__setattr__(self, "closure_days", tuple(sorted(closures.items())))
        object.__setattr__(self, "_closures", closures)
        if not self.opens < self.closes:
            raise ValueError("the working day must open before it closes")

    @cached_property
    def working_day_length(self) -> timedelta:
        return datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)

    # ---- days -------------------------------------------------------------------------------

    def bank_holiday(self, day: date) -> str | None:
        """The bank holiday's name ("Christmas Day (observed)" for a substitute day), or None."""
        return _bank_holidays(day.year).get(day)

    def closure(self, day: date) -> str | None:
        return self._closures.get(day)

    def non_working_reason(self, day: date) -> str | None:
        """Why `day` is not a working day, in words for explanations; None on a working day.

        A weekend wins over a bank holiday that falls on it (the substitute day is the one that
        matters), and a closure day is named even on a bank holiday.
        """
        if day.weekday() >= 5:
            return "weekend"
        if name := self.closure(day):
            return f"council closure: {name}"
        if name := self.bank_holiday(day):
            return f"bank holiday: {name}"
        return None

    def is_working_day(self, day: date) -> bool:
        return self.non_working_reason(day) is None

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        for offset in range(1, _MAX_DAYS_SEARCHED):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {_MAX_DAYS_SEARCHED} days of {day}")

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before `day`."""
        for offset in range(1, _MAX_DAYS_SEARCHED):
            candidate = day - timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {_MAX_DAYS_SEARCHED} days before {day}")

    def working_day_on_or_after(self, day: date) -> date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (count >= 0; 0 gives `day` itself)."""
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def skipped_days(self, first: date, last: date) -> list[tuple[date, str]]:
        """Non-working days from `first` to `last` inclusive, with the reason for each."""
        skipped = []
        day = first
        while day <= last:
            if reason := self.non_working_reason(day):
                skipped.append((day, reason))
            day += timedelta(days=1)
        return skipped

    # ---- instants ---------------------------------------------------------------------------

    def at(self, day: date, clock: time) -> datetime:
        """`clock` o'clock London time on `day`, as UTC."""
        return datetime.combine(day, clock, tzinfo=LONDON).astimezone(UTC)

    def close_of(self, day: date) -> datetime:
        """17:00 London time on `day`, as UTC."""
        return self.at(day, self.closes)

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """Working hours of `day` in UTC, or None when it is not a working day."""
        if not self.is_working_day(day):
            return None
        return self.at(day, self.opens), self.at(day, self.closes)

    def is_working_time(self, moment: datetime) -> bool:
        moment = as_utc(moment)
        window = self.window(to_local(moment).date())
        return window is not None and window[0] <= moment < window[1]

    def next_opening(self, moment: datetime) -> datetime | None:
        """None in working time; otherwise when the council next opens (today's opening before
        9am on a working day, else 9am on the next working day), in UTC. Out-of-hours notices
        say this (issue 15, item 4)."""
        moment = as_utc(moment)
        if self.is_working_time(moment):
            return None
        day = to_local(moment).date()
        window = self.window(day)
        if window is not None and moment < window[0]:
            return window[0]
        return self.window(self.next_working_day(day))[0]

    def working_intervals(
        self, start: datetime, end: datetime
    ) -> Iterator[tuple[datetime, datetime]]:
        """The parts of [start, end) that are working time, in order, in UTC."""
        start, end = as_utc(start), as_utc(end)
        day, last = to_local(start).date(), to_local(end).date()
        while day <= last:
            if window := self.window(day):
                begin, finish = max(start, window[0]), min(end, window[1])
                if begin < finish:
                    yield begin, finish
            day += timedelta(days=1)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from `start` to `end` (zero when end is not after start)."""
        return sum((b - a for a, b in self.working_intervals(start, end)), ZERO)

    def add_working_hours(self, start: datetime, hours: float | int | timedelta) -> datetime:
        """The instant when `hours` of working time have passed since `start`, in UTC.

        A start outside working time counts from the next opening. The result is never pushed
        past a closing time: 8 hours from Monday 09:00 is Monday 17:00, not Tuesday 09:00.
        Zero hours gives `start` back unchanged. Negative hours count backwards.
        """
        remaining = _as_timedelta(hours)
        start = as_utc(start)
        if remaining < ZERO:
            return self.subtract_working_hours(start, -remaining)
        if remaining == ZERO:
            return start
        day = to_local(start).date()
        for _ in range(_MAX_DAYS_SEARCHED):
            if window := self.window(day):
                begin = max(start, window[0])
                if begin < window[1]:
                    if remaining <= window[1] - begin:
                        return begin + remaining
                    remaining -= window[1] - begin
            day += timedelta(days=1)
        raise ValueError(f"no working time within {_MAX_DAYS_SEARCHED} days of {start}")

    def subtract_working_hours(self, end: datetime, hours: float | int | timedelta) -> datetime:
        """The instant `hours` of working time before `end`, in UTC.

        Mirrors add_working_hours: an end outside working time counts back from the last
        closing, and the result is never pulled before an opening (2 hours before Tuesday 11:00
        is Tuesday 09:00).
        """
        remaining = _as_timedelta(hours)
        end = as_utc(end)
        if remaining < ZERO:
            return self.add_working_hours(end, -remaining)
        if remaining == ZERO:
            return end
        day = to_local(end).date()
        for _ in range(_MAX_DAYS_SEARCHED):
            if window := self.window(day):
                finish = min(end, window[1])
                if finish > window[0]:
                    if remaining <= finish - window[0]:
                        return finish - remaining
                    remaining -= finish - window[0]
            day -= timedelta(days=1)
        raise ValueError(f"no working time within {_MAX_DAYS_SEARCHED} days before {end}")

    def clock_changes(self, start: datetime, end: datetime) -> list[str]:
        """Europe/London clock changes between two instants, in words (for explanations)."""
        changes = []
        start, end = as_utc(start), as_utc(end)
        day = to_local(start).date()
        while day <= to_local(end).date():
            # Changes happen at 01:00 UTC on a Sunday; compare the offsets either side.
            change = datetime.combine(day, time(1, 0), tzinfo=UTC)
            before = (change - timedelta(minutes=1)).astimezone(LONDON)
            after = change.astimezone(LONDON)
            if before.utcoffset() != after.utcoffset() and start <= change <= end:
                changes.append(
                    f"the clocks changed on {format_day(day)} ({before.tzname()} to "
                    f"{after.tzname()}); times are shown in local time"
                )
            day += timedelta(days=1)
        return changes


ENGLAND_AND_WALES = WorkingCalendar()
