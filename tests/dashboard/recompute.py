"""The dashboard's headline timeliness figures recomputed from the raw tables by code written
apart from the portal: its own SQL, its own working-day arithmetic with the `holidays` package,
and the rules as docs/clocks.md and the dashboard's notes state them. It never reads a stored
deadline time, a met time or anything of pathways.clocks / pathways.calendar; it reads when
each referral was received, decided, rated, concluded, withdrawn, merged or closed.

Used by test_demo_recomputed.py to check the demo's figures are the ones the rules give."""

from __future__ import annotations

import calendar as months
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.db import connection

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")
ADULT = ("oppd", "mental-health", "learning-disabilities")
OPEN_OF_DAY, CLOSE_OF_DAY = time(9), time(17)
# docs/clocks.md: red 4 elapsed hours; amber one working day; green three working days.
RAG_WORKING_HOURS = {"amber": 8, "green": 24}


def add_months(moment: datetime, n: int) -> datetime:
    """The same London wall-clock time n calendar months on (the month's last day if shorter)."""
    local = moment.astimezone(LONDON)
    index = local.year * 12 + local.month - 1 + n
    year, month = divmod(index, 12)
    day = min(local.day, months.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day)


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _aware(value) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class Calendar:
    """Monday to Friday, 09:00-17:00 London, not England and Wales bank holidays (substitute
    days included: the package marks them "observed") and not the council's closure days."""

    def __init__(self, closures: set[date]):
        self.bank = holidays.country_holidays("GB", subdiv="ENG", years=range(2020, 2032))
        self.closures = closures

    def working(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.bank and day not in self.closures

    def next_working(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.working(day):
            day += timedelta(days=1)
        return day

    def at(self, day: date, hour: time) -> datetime:
        return datetime.combine(day, hour, tzinfo=LONDON)

    def same_working_day(self, start: datetime) -> datetime:
        """17:00 the same day if it starts on a working day before 17:00, else 17:00 on the
        next working day."""
        local = start.astimezone(LONDON)
        day = local.date()
        if self.working(day) and local.time() < CLOSE_OF_DAY:
            return self.at(day, CLOSE_OF_DAY)
        return self.at(self.next_working(day), CLOSE_OF_DAY)

    def add_working_hours(self, start: datetime, hours: int) -> datetime:
        """Count only working time, a day at a time; ends at 17:00 when the hours run out
        exactly at the close of a day."""
        local = start.astimezone(LONDON)
        day, clock = local.date(), local.time()
        if not self.working(day) or clock >= CLOSE_OF_DAY:
            day, clock = self.next_working(day), OPEN_OF_DAY
        elif clock < OPEN_OF_DAY:
            clock = OPEN_OF_DAY
        left = timedelta(hours=hours)
        while True:
            begin = self.at(day, clock)
            room = self.at(day, CLOSE_OF_DAY) - begin
            if left <= room:
                return begin + left
            left -= room
            day, clock = self.next_working(day), OPEN_OF_DAY


@dataclass
class Clock:
    kind: str
    pathway: str
    start: datetime
    due: datetime | None  # None: the enquiry (counted by calendar months, not a due time)
    met: datetime | None
    ended: bool = False  # withdrawn, merged or closed before its work was done
    paused: bool = False


def clocks(now: datetime) -> list[Clock]:
    calendar = Calendar({d for (d,) in _rows("SELECT date FROM pathways_closureday")})
    referrals = {
        rid: (pathway, _aware(received), status)
        for rid, pathway, received, status in _rows(
            "SELECT id, pathway, received_at, status FROM referrals_referral "
            "WHERE received_at IS NOT NULL")
    }
    decisions = defaultdict(list)
    for rid, action, outcome, at in _rows(
            "SELECT referral_id, action, outcome, decided_at FROM triage_decision "
            "ORDER BY decided_at, id"):
        decisions[rid].append((action, outcome, _aware(at)))
    finished = {}  # referral -> when it was withdrawn or merged (no decision then)
    concluded = {}  # referral -> when its enquiry concluded (it left the enquiry status)
    ratings = defaultdict(list)
    for rid, kind, at, from_status, to_status, detail in _rows(
            "SELECT referral_id, kind, at, from_status, to_status, detail "
            "FROM referrals_referralevent ORDER BY at, id"):
        if to_status in ("withdrawn", "merged"):
            finished[rid] = _aware(at)
        if from_status == "enquiry" and to_status not in ("", "enquiry"):
            concluded.setdefault(rid, _aware(at))
        if kind == "rag_rated":
            detail = detail if isinstance(detail, dict) else json.loads(detail)
            ratings[rid].append((_aware(at), detail["rating"]))
    paused = {rid for (rid,) in _rows(
        "SELECT d.referral_id FROM pathways_clockpause p JOIN pathways_deadline d "
        "ON d.id = p.deadline_id WHERE p.resumed_at IS NULL")}

    out = []
    for rid, (pathway, received, status) in referrals.items():
        decided = next((at for action, _, at in decisions[rid] if action == "decide"), None)
        # Withdrawn, merged, or closed while still waiting for a decision: no decision made.
        closed = next((at for action, _, at in decisions[rid] if action == "close"), None)
        ended = decided is None and (rid in finished or closed is not None)
        if pathway in ADULT:
            out.append(Clock("concern_decision", pathway, received,
                             calendar.same_working_day(received), decided, ended))
        elif pathway == "mash":
            out.append(Clock("mash_decision", pathway, received,
                             calendar.add_working_hours(received, 8), decided, ended))
            rated = [(at, r) for at, r in ratings[rid] if decided is None or at <= decided]
            if rated:  # a re-rating restarts the clock: only the last rating's clock counts
                at, rating = rated[-1]
                due = (at + timedelta(hours=4) if rating == "red"
                       else calendar.add_working_hours(at, RAG_WORKING_HOURS[rating]))
                out.append(Clock(f"rag:{rating}", pathway, at, due, decided, ended))
        s42 = next((at for action, outcome, at in decisions[rid]
                    if action == "decide" and outcome == "s42_met"), None)
        if s42 is not None:
            done = concluded.get(rid)
            out.append(Clock("enquiry", pathway, s42, None, done,
                             paused=rid in paused and done is None))
    return out


def enquiry_due(calendar: Calendar, start: datetime) -> datetime:
    """Two calendar months: the same day of the month (or the month's last day), 17:00, moved
    on to the next working day."""
    day = add_months(start, 2).date()
    while not calendar.working(day):
        day += timedelta(days=1)
    return calendar.at(day, CLOSE_OF_DAY)


def window_start(now: datetime, count: int = 12) -> datetime:
    first = add_months(now.astimezone(LONDON).replace(day=1), -(count - 1)).date()
    return datetime.combine(first, time(0), tzinfo=LONDON)


def on_time(all_clocks, kind, now, *, pathway=None, since=None) -> tuple[int, int]:
    """(known, on time): a clock counts once its decision is made or it is overdue; ended
    clocks (withdrawn, merged, closed without a decision) are not counted at all."""
    known = met = 0
    for c in all_clocks:
        if c.kind != kind or c.ended or (pathway and c.pathway != pathway):
            continue
        if since and c.start < since:
            continue
        if c.met is not None:
            known += 1
            met += c.met <= c.due
        elif c.due < now:
            known += 1
    return known, met


def enquiries(all_clocks, now, *, since=None) -> tuple[int, int, int, int, int]:
    """(started, known one month, within one month, known two months, within two months)."""
    started = k1 = w1 = k2 = w2 = 0
    for c in all_clocks:
        if c.kind != "enquiry" or (since and c.start < since):
            continue
        started += 1
        one, two = add_months(c.start, 1), add_months(c.start, 2)
        k1 += c.met is not None or one <= now
        w1 += c.met is not None and c.met <= one
        k2 += c.met is not None or two <= now
        w2 += c.met is not None and c.met <= two
    return started, k1, w1, k2, w2


def open_breaches(all_clocks, now, *, pathway=None) -> int:
    """Running clocks (not met, not ended, not paused) past their due time, decision, RAG and
    enquiry clocks, plus feedback owed past its due (counted by feedback_breaches)."""
    calendar = Calendar({d for (d,) in _rows("SELECT date FROM pathways_closureday")})
    n = 0
    for c in all_clocks:
        if c.met is not None or c.ended or c.paused or (pathway and c.pathway != pathway):
            continue
        due = enquiry_due(calendar, c.start) if c.kind == "enquiry" else c.due
        n += due < now
    return n + feedback_breaches(calendar, now, pathway=pathway)


def feedback_breaches(calendar: Calendar, now: datetime, *, pathway=None) -> int:
    """Referrals owed feedback past 17:00 on the next working day after it was first owed."""
    n = 0
    for first_owed, rpathway in _rows(
            "SELECT MIN(f.created_at), r.pathway FROM feedback_feedbackrecord f "
            "JOIN referrals_referral r ON r.id = f.referral_id "
            "WHERE f.given_at IS NULL GROUP BY r.id, r.pathway"):
        if pathway and rpathway != pathway:
            continue
        day = _aware(first_owed).astimezone(LONDON).date()
        n += calendar.at(calendar.next_working(day), CLOSE_OF_DAY) < now
    return n
