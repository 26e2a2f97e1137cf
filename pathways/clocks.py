"""The clocks: what each deadline is, its default rule, and a pure computation of its times.

`compute(rule, starts, calendar, pauses)` is a pure function: the same arguments always give the
same `ClockResult`, and the result says in words why (which hours and days were skipped, and for
which holiday, closure or weekend). The defaults come from the London multi-agency adult
safeguarding policy (concern decision the same working day; enquiry within one to two months),
Working Together to Safeguard Children 2023 (MASH decision within one working day) and common
London MASH practice for RAG ratings; the borough made feedback to the referrer mandatory in
July 2024. Every default is a policy row that administrators can change (pathways.models).

Units, as this module counts them:

- ``elapsed_hours``: real hours round the clock, nights, weekends and holidays included. Counted
  in UTC, so across a clock change 4 hours are still 4 real hours.
- ``working_hours``: only working time (09:00-17:00 Monday to Friday, not bank holidays or
  closure days). A start outside working time counts from the next opening; a due time is never
  pushed past a closing (8 working hours from Monday 09:00 is Monday 17:00).
- ``working_days``: a date clock that always falls due at 17:00. N >= 1 means 17:00 on the Nth
  working day after the start's date, whatever the time of day (feedback: "17:00 on the next
  working day after the decision's date"). N = 0 means "the same working day": 17:00 on the
  start's date when that is a working day and the start is before 17:00, otherwise 17:00 on the
  next working day (concern decision; exactly 17:00 is not before 17:00).
- ``calendar_months``: the same day of the month N months on (the month's last day when it is
  shorter), at 17:00, moved on to the next working day when that day is not one.

Pauses do not count, in the clock's own unit: elapsed clocks move on by the paused real time,
working-hour clocks by the paused working time, working-day clocks by one working day for each
working day whose working hours a pause touched, month clocks by the paused time rounded up to
whole calendar days. A pause that has not ended stops the clock: due and warning are None until
it resumes. A pause that begins after the due time changes nothing (the clock was already due).

The warning point is `warning_amount warning_unit` before the due time (``before_due``) or after
the start (``after_start``, the enquiry's "warning at one calendar month"). A warning that would
fall before the start is at the start.
"""

from __future__ import annotations

import math
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from core.vocabulary import ClockKind, Pathway, RagRating
from pathways.calendar import (
    ZERO,
    WorkingCalendar,
    as_utc,
    format_day,
    format_duration,
    format_local,
    to_local,
)


class Unit(StrEnum):
    ELAPSED_HOURS = "elapsed_hours"
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    CALENDAR_MONTHS = "calendar_months"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Anchor(StrEnum):
    BEFORE_DUE = "before_due"
    AFTER_START = "after_start"


ADULT_PATHWAYS = Pathway.adult()
MASH_PATHWAY = Pathway.MASH
PATHWAYS = Pathway.every()


def decision_kind(pathway: str) -> ClockKind:
    """The clock that starts when a referral is received on `pathway`.

    The LADO's initial consideration is its decision clock (a policy row on the LADO pathway:
    one working day), so the sweep, urgent pick-up and dashboard treat it as a decision."""
    if pathway == MASH_PATHWAY:
        return ClockKind.MASH_DECISION
    if pathway in ADULT_PATHWAYS or pathway in Pathway.allegations():
        return ClockKind.CONCERN_DECISION
    raise ValueError(f"unknown pathway {pathway!r}; expected one of {', '.join(PATHWAYS)}")


def kinds_for_pathway(pathway: str) -> tuple[ClockKind, ...]:
    """Every deadline that can run on `pathway` (enquiry is adults only, rag is MASH only)."""
    if pathway == MASH_PATHWAY:
        return (ClockKind.MASH_DECISION, ClockKind.RAG, ClockKind.FEEDBACK)
    if pathway in Pathway.allegations():
        return (ClockKind.CONCERN_DECISION, ClockKind.FEEDBACK)
    decision_kind(pathway)  # validates the name
    return (ClockKind.CONCERN_DECISION, ClockKind.ENQUIRY, ClockKind.FEEDBACK)


def policy_kinds_for_pathway(pathway: str) -> tuple[ClockKind, ...]:
    """Every clock an administrator sets for `pathway`: its deadlines, the urgent pick-up, a
    challenge's response time per tier and a request for advice's call-back (issue 15)."""
    return (*kinds_for_pathway(pathway), ClockKind.URGENT_PICKUP, ClockKind.CHALLENGE,
            ClockKind.CONSULTATION)


@dataclass(frozen=True)
class ClockRule:
    amount: int
    unit: Unit
    warning_amount: int
    warning_unit: Unit
    warning_anchor: Anchor = Anchor.BEFORE_DUE

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", Unit(self.unit))
        object.__setattr__(self, "warning_unit", Unit(self.warning_unit))
        object.__setattr__(self, "warning_anchor", Anchor(self.warning_anchor))
        if self.amount < 0 or self.warning_amount < 0:
            raise ValueError("clock amounts cannot be negative")
        if self.amount == 0 and self.unit != Unit.WORKING_DAYS:
            raise ValueError("only a working-days clock can be 0 (the same working day)")

    def describe(self) -> str:
        return _describe(self.amount, self.unit)

    def describe_warning(self) -> str:
        where = "before due" if self.warning_anchor == Anchor.BEFORE_DUE else "after the start"
        return f"{_quantity(self.warning_amount, self.warning_unit)} {where}"


# The defaults of issue 5's table (a data migration copies them into ClockPolicy rows).
# Red's warning is in elapsed hours, like red itself: a red clock rated at 22:00 falls due at
# 02:00, and "two working hours before" that would be 15:00 the day before, i.e. at once.
TWO_WORKING_HOURS = {"warning_amount": 2, "warning_unit": Unit.WORKING_HOURS}
DEFAULT_RULES: dict[tuple[ClockKind, str], ClockRule] = {
    (ClockKind.CONCERN_DECISION, ""): ClockRule(0, Unit.WORKING_DAYS, **TWO_WORKING_HOURS),
    (ClockKind.MASH_DECISION, ""): ClockRule(8, Unit.WORKING_HOURS, **TWO_WORKING_HOURS),
    (ClockKind.RAG, RagRating.RED): ClockRule(4, Unit.ELAPSED_HOURS, 2, Unit.ELAPSED_HOURS),
    (ClockKind.RAG, RagRating.AMBER): ClockRule(8, Unit.WORKING_HOURS, **TWO_WORKING_HOURS),
    (ClockKind.RAG, RagRating.GREEN): ClockRule(24, Unit.WORKING_HOURS, **TWO_WORKING_HOURS),
    (ClockKind.ENQUIRY, ""): ClockRule(
        2, Unit.CALENDAR_MONTHS, 1, Unit.CALENDAR_MONTHS, Anchor.AFTER_START
    ),
    (ClockKind.FEEDBACK, ""): ClockRule(1, Unit.WORKING_DAYS, **TWO_WORKING_HOURS),
    # One real hour, day or night; it has no separate warning (its alert is the warning).
    (ClockKind.URGENT_PICKUP, ""): ClockRule(1, Unit.ELAPSED_HOURS, 0, Unit.ELAPSED_HOURS),
    # Issue 15: each tier of a professional-disagreement challenge answers within 5 working
    # days (the escalation protocols' usual figure); a request for advice is called back the
    # same working day.
    (ClockKind.CHALLENGE, ""): ClockRule(5, Unit.WORKING_DAYS, 1, Unit.WORKING_DAYS),
    (ClockKind.CONSULTATION, ""): ClockRule(0, Unit.WORKING_DAYS, **TWO_WORKING_HOURS),
}


# Where a pathway's default differs from the table above (issue 16): the LADO's initial
# consideration of an allegation within one working day (migration pathways 0009).
PATHWAY_DEFAULT_RULES: dict[tuple[str, ClockKind], ClockRule] = {
    (Pathway.LADO, ClockKind.CONCERN_DECISION): ClockRule(1, Unit.WORKING_DAYS,
                                                          **TWO_WORKING_HOURS),
}


def pathway_default_rule(pathway: str, kind: ClockKind | str, variant: str = "") -> ClockRule:
    """The default for a clock on a pathway (used when no policy row exists)."""
    rule = PATHWAY_DEFAULT_RULES.get((pathway, str(kind)))
    return rule if rule is not None else default_rule(kind, variant)


def default_rule(kind: ClockKind | str, variant: str = "") -> ClockRule:
    """The issue's default for a clock; `variant` is the RAG rating for `rag`, else ''."""
    try:
        return DEFAULT_RULES[(ClockKind(kind), variant or "")]
    except (KeyError, ValueError):
        raise ValueError(f"no clock rule for {kind!r} {variant!r}") from None


@dataclass(frozen=True)
class Pause:
    paused_at: datetime
    resumed_at: datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class ClockResult:
    starts: datetime
    warning: datetime | None
    due: datetime | None
    explanation: str

    @property
    def stopped(self) -> bool:
        """True while an open pause holds the clock (no due time until it resumes)."""
        return self.due is None


PauseLike = Pause | tuple


def compute(
    rule: ClockRule,
    starts: datetime,
    calendar: WorkingCalendar,
    pauses: Iterable[PauseLike] = (),
) -> ClockResult:
    """Warning and due times of a clock that starts at `starts`, with the reasons in words."""
    starts = as_utc(starts)
    pause_list = sorted((_as_pause(p) for p in pauses), key=lambda p: p.paused_at)
    lines = [f"Starts {format_local(starts)}.", f"Rule: {_rule_sentence(rule)}"]

    due, extra = _with_pauses(rule.amount, rule.unit, starts, calendar, pause_list)
    if due is None:
        open_pause = next(p for p in pause_list if p.resumed_at is None)
        lines.append(
            f"Paused since {format_local(open_pause.paused_at)}{_reason(open_pause)}: the clock "
            "is stopped, and the due and warning times are set again when it resumes."
        )
        return ClockResult(starts, None, None, "\n".join(lines))

    lines += _how(rule.amount, rule.unit, starts, due, calendar, pause_list, extra)
    lines += _pause_lines(rule.unit, starts, due, calendar, pause_list)
    lines += [f"Note: {change}." for change in calendar.clock_changes(starts, due)]
    lines.append(f"Due {format_local(due)}.")

    warning = _warning(rule, starts, due, calendar, pause_list)
    if warning < starts:
        warning = starts
        lines.append(
            f"Warning {format_local(warning)}: {rule.describe_warning()} would be before the "
            "start, so the warning is at the start."
        )
    else:
        lines.append(f"Warning {format_local(warning)}: {rule.describe_warning()}.")
    return ClockResult(starts, warning, due, "\n".join(lines))


# ---- due times without pauses ------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """Same day of the month `months` on, or that month's last day when it is shorter."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _working_days_due_date(amount: int, starts: datetime, calendar: WorkingCalendar) -> date:
    local = to_local(starts)
    day = local.date()
    if amount == 0:
        same_day = calendar.is_working_day(day) and local.time() < calendar.closes
        return day if same_day else calendar.next_working_day(day)
    return calendar.add_working_days(day, amount)


def _month_date(amount: int, starts: datetime, extra_days: int) -> date:
    return add_months(to_local(starts).date(), amount) + timedelta(days=extra_days)


def _base_due(amount, unit, starts, calendar, extra) -> datetime:
    """Due time with `extra` (the paused quantity, in the unit's own measure) added."""
    if unit == Unit.ELAPSED_HOURS:
        return starts + timedelta(hours=amount) + extra
    if unit == Unit.WORKING_HOURS:
        return calendar.add_working_hours(starts, timedelta(hours=amount) + extra)
    if unit == Unit.WORKING_DAYS:
        due_day = _working_days_due_date(amount, starts, calendar)
        return calendar.close_of(calendar.add_working_days(due_day, extra))
    due_day = _month_date(amount, starts, extra)
    return calendar.close_of(calendar.working_day_on_or_after(due_day))


# ---- pauses --------------------------------------------------------------------------------------


def _as_pause(pause: PauseLike) -> Pause:
    if isinstance(pause, Pause):
        found = pause
    else:
        found = Pause(*pause)
    if found.resumed_at is not None and as_utc(found.resumed_at) < as_utc(found.paused_at):
        raise ValueError("a pause cannot resume before it began")
    resumed = as_utc(found.resumed_at) if found.resumed_at is not None else None
    return Pause(as_utc(found.paused_at), resumed, found.reason)


def _paused_windows(starts, due, pauses) -> list[tuple[datetime, datetime]]:
    """Closed pauses clipped to [starts, due), merged so overlapping pauses count once."""
    windows = []
    for pause in pauses:
        if pause.resumed_at is None:
            continue
        begin, end = max(pause.paused_at, starts), min(pause.resumed_at, due)
        if begin < end:
            windows.append((begin, end))
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in sorted(windows):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return merged


def _paused_quantity(unit, windows, calendar):
    """How far the paused windows move the due time, in the unit's own measure."""
    if unit == Unit.ELAPSED_HOURS:
        return sum((end - begin for begin, end in windows), ZERO)
    if unit == Unit.WORKING_HOURS:
        return sum((calendar.working_time_between(b, e) for b, e in windows), ZERO)
    if unit == Unit.WORKING_DAYS:
        return len(_paused_working_days(windows, calendar))
    paused = sum((end - begin for begin, end in windows), ZERO)
    return math.ceil(paused / timedelta(days=1))


def _paused_working_days(windows, calendar) -> set[date]:
    return {
        to_local(begin).date()
        for window in windows
        for begin, _end in calendar.working_intervals(*window)
    }


def _zero(unit):
    return ZERO if unit in (Unit.ELAPSED_HOURS, Unit.WORKING_HOURS) else 0


def _with_pauses(amount, unit, starts, calendar, pauses):
    """(due, paused quantity), or (None, None) while an open pause holds the clock.

    Pauses are taken in time order: one that begins before the current due time stops the
    clock for all of its length, which moves the due time on by that much (in the unit's own
    measure) and can bring the next pause inside the clock. One that begins at or after the
    due time, and every later one, changes nothing.
    """
    extra = _zero(unit)
    due = _base_due(amount, unit, starts, calendar, extra)
    counted: list[tuple[datetime, datetime]] = []
    for begin, end in _merged(pauses):
        begin = max(begin, starts)
        if begin >= due:
            break
        if end is None:
            return None, None
        if end <= begin:
            continue
        counted.append((begin, end))
        extra = _paused_quantity(unit, counted, calendar)
        due = _base_due(amount, unit, starts, calendar, extra)
    return due, extra


def _merged(pauses) -> list[tuple[datetime, datetime | None]]:
    """Pauses as windows in time order, overlapping ones merged; an open pause has end None."""
    merged: list[list] = []
    for pause in sorted(pauses, key=lambda p: p.paused_at):
        end = pause.resumed_at
        if merged and (merged[-1][1] is None or pause.paused_at <= merged[-1][1]):
            if merged[-1][1] is not None:
                merged[-1][1] = None if end is None else max(end, merged[-1][1])
            continue
        merged.append([pause.paused_at, end])
    return [(begin, end) for begin, end in merged]


# ---- warning -------------------------------------------------------------------------------------


def _warning(rule, starts, due, calendar, pauses) -> datetime:
    amount, unit = rule.warning_amount, rule.warning_unit
    if rule.warning_anchor == Anchor.AFTER_START:
        if amount == 0 and unit != Unit.WORKING_DAYS:
            return starts
        warning, _extra = _with_pauses(amount, unit, starts, calendar, pauses)
        return min(warning, due)
    if unit == Unit.ELAPSED_HOURS:
        return due - timedelta(hours=amount)
    if unit == Unit.WORKING_HOURS:
        return calendar.subtract_working_hours(due, amount)
    local = to_local(due)
    if unit == Unit.WORKING_DAYS:
        day = local.date()
        for _ in range(amount):
            day = calendar.previous_working_day(day)
    else:
        day = add_months(local.date(), -amount)
    return calendar.at(day, local.time())


# ---- explanations --------------------------------------------------------------------------------


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _quantity(amount: int, unit: Unit) -> str:
    word = unit.label[:-1] if amount == 1 else unit.label
    return f"{amount} {word}"


def _describe(amount: int, unit: Unit) -> str:
    if unit == Unit.WORKING_DAYS and amount == 0:
        return "the same working day"
    return _quantity(amount, unit)


def _rule_sentence(rule: ClockRule) -> str:
    amount, unit = rule.amount, rule.unit
    if unit == Unit.ELAPSED_HOURS:
        return (
            f"{_quantity(amount, unit)}, counted round the clock (nights, weekends and holidays "
            "count)."
        )
    if unit == Unit.WORKING_HOURS:
        return (
            f"{_quantity(amount, unit)}, counting only 09:00 to 17:00 Monday to Friday, not bank "
            "holidays or council closure days."
        )
    if unit == Unit.WORKING_DAYS and amount == 0:
        return (
            "the same working day: 17:00 on the day it starts if that is a working day and it "
            "starts before 17:00, otherwise 17:00 on the next working day."
        )
    if unit == Unit.WORKING_DAYS and amount == 1:
        return "17:00 on the next working day after the day it starts."
    if unit == Unit.WORKING_DAYS:
        return f"17:00 on the {_ordinal(amount)} working day after the day it starts."
    return (
        f"{_quantity(amount, unit)}: the same day of the month (or the month's last day if "
        "shorter), at 17:00, moved on to the next working day when that day is not one."
    )


def _skipped_sentence(calendar, first: date, last: date) -> list[str]:
    skipped = calendar.skipped_days(first, last)
    if not skipped:
        return []
    days = ", ".join(f"{format_day(day)} ({reason})" for day, reason in skipped)
    return [f"Skipped: {days}."]


def _how(amount, unit, starts, due, calendar, pauses, extra) -> list[str]:
    """The sentences that show how the due time was reached from the start."""
    local = to_local(starts)
    if unit == Unit.ELAPSED_HOURS:
        return ["Nothing is skipped: elapsed hours run through nights, weekends and holidays."]
    if unit == Unit.WORKING_HOURS:
        counted = _minus(list(calendar.working_intervals(starts, due)), pauses, starts, due)
        spans = "; ".join(
            f"{format_day(to_local(b).date())} {to_local(b):%H:%M}-{to_local(e):%H:%M}"
            f" ({format_duration(e - b)})"
            for b, e in counted
        )
        lines = []
        if not calendar.is_working_time(starts):
            lines.append("It starts outside working time, so counting begins at the next opening.")
        lines.append(f"Counted: {spans}.")
        return lines + _skipped_sentence(calendar, local.date(), to_local(due).date())
    if unit == Unit.WORKING_DAYS:
        lines = []
        if amount == 0:
            reason = calendar.non_working_reason(local.date())
            if reason:
                lines.append(
                    f"It starts on a non-working day ({reason}), so it counts from the "
                    "next working day."
                )
            elif local.time() >= calendar.closes:
                lines.append(
                    f"It starts at {local:%H:%M}, not before 17:00, so it counts from "
                    "the next working day."
                )
            else:
                lines.append("It starts on a working day before 17:00, so it is due that day.")
        return lines + _skipped_sentence(calendar, local.date(), to_local(due).date())
    target = add_months(local.date(), amount)
    lines = [
        f"{_quantity(amount, unit)} from {format_day(local.date())} is {format_day(target)}"
        + (" (that month is shorter, so its last day)." if target.day != local.day else ".")
    ]
    if extra:
        target += timedelta(days=extra)
        lines.append(f"Pauses move it on by {extra} calendar day(s), to {format_day(target)}.")
    due_day = to_local(due).date()
    if due_day != target:
        skipped = ", ".join(
            f"{format_day(day)} ({reason})"
            for day, reason in calendar.skipped_days(target, due_day - timedelta(days=1))
        )
        lines.append(f"Moved on to the next working day: skipped {skipped}.")
    return lines


def _minus(intervals, pauses, starts, due):
    """Working intervals with the paused windows cut out (what was actually counted)."""
    result = intervals
    for p_begin, p_end in _paused_windows(starts, due, pauses):
        cut = []
        for begin, end in result:
            if p_end <= begin or p_begin >= end:
                cut.append((begin, end))
                continue
            if begin < p_begin:
                cut.append((begin, p_begin))
            if p_end < end:
                cut.append((p_end, end))
        result = cut
    return result


def _reason(pause: Pause) -> str:
    return f" ({pause.reason})" if pause.reason else ""


def _pause_lines(unit, starts, due, calendar, pauses) -> list[str]:
    lines = []
    for pause in pauses:
        if pause.paused_at >= due:
            lines.append(
                f"Paused {format_local(pause.paused_at)}{_reason(pause)} after it was due: the "
                "due time does not move."
            )
            continue
        span = f"{format_local(pause.paused_at)} to {format_local(pause.resumed_at)}"
        windows = _paused_windows(starts, due, [pause])
        if unit == Unit.ELAPSED_HOURS:
            effect = f"{format_duration(_paused_quantity(unit, windows, calendar))} not counted"
        elif unit == Unit.WORKING_HOURS:
            effect = (
                f"{format_duration(_paused_quantity(unit, windows, calendar))} of working "
                "time not counted"
            )
        elif unit == Unit.WORKING_DAYS:
            days = sorted(_paused_working_days(windows, calendar))
            effect = (
                f"{len(days)} working day(s) not counted ("
                + ", ".join(format_day(d) for d in days)
                + ")"
                if days
                else "no working time was paused"
            )
        else:
            effect = f"{_paused_quantity(unit, windows, calendar)} calendar day(s) not counted"
        lines.append(f"Paused {span}{_reason(pause)}: {effect}.")
    return lines
