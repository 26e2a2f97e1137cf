"""Every clock's default rule, as tables of (start, due, warning) in London wall-clock time."""

from datetime import UTC, date, datetime, timedelta

import pytest

from core.vocabulary import ClockKind
from pathways.calendar import LONDON, WorkingCalendar
from pathways.clocks import (
    Anchor,
    ClockRule,
    Pause,
    Unit,
    add_months,
    compute,
    decision_kind,
    default_rule,
    kinds_for_pathway,
)

CAL = WorkingCalendar()


def ldt(*parts):
    return datetime(*parts, tzinfo=LONDON)


def check(kind, variant, start, due, warning, calendar=CAL, pauses=()):
    result = compute(default_rule(kind, variant), start, calendar, pauses)
    assert (result.due, result.warning) == (due, warning), result.explanation
    assert result.due.tzinfo is UTC and result.starts == start
    return result


CONCERN = [
    # (received, due, warning)
    (ldt(2026, 3, 2, 8, 0), ldt(2026, 3, 2, 17, 0), ldt(2026, 3, 2, 15, 0)),  # before hours
    (ldt(2026, 3, 2, 10, 0), ldt(2026, 3, 2, 17, 0), ldt(2026, 3, 2, 15, 0)),  # during
    (ldt(2026, 3, 2, 16, 30), ldt(2026, 3, 2, 17, 0), ldt(2026, 3, 2, 16, 30)),  # warn at once
    (ldt(2026, 3, 2, 17, 0), ldt(2026, 3, 3, 17, 0), ldt(2026, 3, 3, 15, 0)),  # exactly 17:00
    (ldt(2026, 3, 2, 18, 0), ldt(2026, 3, 3, 17, 0), ldt(2026, 3, 3, 15, 0)),  # after hours
    (ldt(2026, 3, 7, 11, 0), ldt(2026, 3, 9, 17, 0), ldt(2026, 3, 9, 15, 0)),  # Saturday
    (ldt(2026, 3, 6, 23, 59), ldt(2026, 3, 9, 17, 0), ldt(2026, 3, 9, 15, 0)),
    (ldt(2026, 5, 22, 18, 0), ldt(2026, 5, 26, 17, 0), ldt(2026, 5, 26, 15, 0)),  # bank hol Mon
    (ldt(2026, 4, 2, 17, 30), ldt(2026, 4, 7, 17, 0), ldt(2026, 4, 7, 15, 0)),  # Easter
    (ldt(2026, 12, 24, 18, 0), ldt(2026, 12, 29, 17, 0), ldt(2026, 12, 29, 15, 0)),
    (ldt(2026, 12, 31, 17, 30), ldt(2027, 1, 4, 17, 0), ldt(2027, 1, 4, 15, 0)),  # New Year
    (ldt(2027, 12, 24, 18, 0), ldt(2027, 12, 29, 17, 0), ldt(2027, 12, 29, 15, 0)),
    (ldt(2032, 12, 24, 12, 0), ldt(2032, 12, 24, 17, 0), ldt(2032, 12, 24, 15, 0)),
    (ldt(2032, 12, 24, 18, 0), ldt(2032, 12, 29, 17, 0), ldt(2032, 12, 29, 15, 0)),
    (ldt(2026, 3, 28, 10, 0), ldt(2026, 3, 30, 17, 0), ldt(2026, 3, 30, 15, 0)),  # March change
    (ldt(2026, 10, 24, 23, 30), ldt(2026, 10, 26, 17, 0), ldt(2026, 10, 26, 15, 0)),  # October
]


@pytest.mark.parametrize("received, due, warning", CONCERN)
def test_concern_decision(received, due, warning):
    check(ClockKind.CONCERN_DECISION, "", received, due, warning)


MASH = [
    (ldt(2026, 3, 2, 9, 0), ldt(2026, 3, 2, 17, 0), ldt(2026, 3, 2, 15, 0)),
    (ldt(2026, 3, 2, 7, 30), ldt(2026, 3, 2, 17, 0), ldt(2026, 3, 2, 15, 0)),
    (ldt(2026, 3, 2, 10, 0), ldt(2026, 3, 3, 10, 0), ldt(2026, 3, 2, 16, 0)),
    (ldt(2026, 3, 2, 17, 0), ldt(2026, 3, 3, 17, 0), ldt(2026, 3, 3, 15, 0)),
    (ldt(2026, 3, 2, 22, 0), ldt(2026, 3, 3, 17, 0), ldt(2026, 3, 3, 15, 0)),
    (ldt(2026, 3, 8, 10, 0), ldt(2026, 3, 9, 17, 0), ldt(2026, 3, 9, 15, 0)),  # Sunday
    (ldt(2026, 5, 22, 16, 0), ldt(2026, 5, 26, 16, 0), ldt(2026, 5, 26, 14, 0)),  # bank hol
    (ldt(2026, 4, 2, 12, 0), ldt(2026, 4, 7, 12, 0), ldt(2026, 4, 7, 10, 0)),  # Easter
    (ldt(2026, 12, 24, 12, 0), ldt(2026, 12, 29, 12, 0), ldt(2026, 12, 29, 10, 0)),
    (ldt(2027, 12, 31, 14, 0), ldt(2028, 1, 4, 14, 0), ldt(2028, 1, 4, 12, 0)),
    (ldt(2027, 12, 24, 10, 0), ldt(2027, 12, 29, 10, 0), ldt(2027, 12, 24, 16, 0)),
    (ldt(2026, 3, 27, 16, 0), ldt(2026, 3, 30, 16, 0), ldt(2026, 3, 30, 14, 0)),  # March
    (ldt(2026, 10, 23, 16, 0), ldt(2026, 10, 26, 16, 0), ldt(2026, 10, 26, 14, 0)),  # October
]


@pytest.mark.parametrize("received, due, warning", MASH)
def test_mash_decision(received, due, warning):
    check(ClockKind.MASH_DECISION, "", received, due, warning)


RAG = [
    ("red", ldt(2026, 3, 2, 10, 0), ldt(2026, 3, 2, 14, 0), ldt(2026, 3, 2, 12, 0)),
    ("red", ldt(2026, 3, 6, 20, 0), ldt(2026, 3, 7, 0, 0), ldt(2026, 3, 6, 22, 0)),  # overnight
    ("red", ldt(2026, 12, 25, 9, 0), ldt(2026, 12, 25, 13, 0), ldt(2026, 12, 25, 11, 0)),
    # 4 real hours across the March change: 00:30 GMT + 4 h is 05:30 BST.
    ("red", ldt(2026, 3, 29, 0, 30), ldt(2026, 3, 29, 5, 30), ldt(2026, 3, 29, 3, 30)),
    # ...and across the October change: 00:30 BST + 4 h is 03:30 GMT; the warning is at the
    # second 01:30 of the night (GMT). Written in UTC: Python never finds an ambiguous local
    # time equal to a time in another zone (PEP 495).
    (
        "red",
        ldt(2026, 10, 25, 0, 30),
        ldt(2026, 10, 25, 3, 30),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    ),
    ("amber", ldt(2026, 3, 2, 10, 0), ldt(2026, 3, 3, 10, 0), ldt(2026, 3, 2, 16, 0)),
    ("amber", ldt(2026, 3, 6, 20, 0), ldt(2026, 3, 9, 17, 0), ldt(2026, 3, 9, 15, 0)),
    ("green", ldt(2026, 3, 2, 10, 0), ldt(2026, 3, 5, 10, 0), ldt(2026, 3, 4, 16, 0)),
    ("green", ldt(2026, 3, 5, 10, 0), ldt(2026, 3, 10, 10, 0), ldt(2026, 3, 9, 16, 0)),
    ("green", ldt(2026, 5, 21, 12, 0), ldt(2026, 5, 27, 12, 0), ldt(2026, 5, 27, 10, 0)),
    ("green", ldt(2032, 12, 23, 12, 0), ldt(2032, 12, 30, 12, 0), ldt(2032, 12, 30, 10, 0)),
]


@pytest.mark.parametrize("rating, rated, due, warning", RAG)
def test_rag(rating, rated, due, warning):
    check(ClockKind.RAG, rating, rated, due, warning)


def test_re_rating_restarts_the_rag_clock_from_the_new_rating():
    red = compute(default_rule("rag", "red"), ldt(2026, 3, 2, 10, 0), CAL)
    # Re-rated green at 11:00: a new clock from 11:00, 24 working hours.
    green = compute(default_rule("rag", "green"), ldt(2026, 3, 2, 11, 0), CAL)
    assert red.due == ldt(2026, 3, 2, 14, 0)
    assert green.due == ldt(2026, 3, 5, 11, 0)
    # Re-rated red again on Thursday at 15:00: four elapsed hours from then, not from Monday.
    red_again = compute(default_rule("rag", "red"), ldt(2026, 3, 5, 15, 0), CAL)
    assert red_again.due == ldt(2026, 3, 5, 19, 0)


ENQUIRY = [
    (ldt(2026, 1, 12, 10, 0), ldt(2026, 3, 12, 17, 0), ldt(2026, 2, 12, 17, 0)),
    # 31 January: February is shorter (28 Feb 2026 is a Saturday -> Monday 2 March).
    (ldt(2026, 1, 31, 10, 0), ldt(2026, 3, 31, 17, 0), ldt(2026, 3, 2, 17, 0)),
    # 31 December: 28 February 2027 is a Sunday -> Monday 1 March; warning 31 Jan (Sun) -> 1 Feb.
    (ldt(2026, 12, 31, 10, 0), ldt(2027, 3, 1, 17, 0), ldt(2027, 2, 1, 17, 0)),
    # Leap year: 30 December 2027 -> 29 February 2028 (a Tuesday).
    (ldt(2027, 12, 30, 10, 0), ldt(2028, 2, 29, 17, 0), ldt(2028, 1, 31, 17, 0)),
    # 31 July: warning lands on the Late Summer bank holiday -> Tuesday 1 September.
    (ldt(2026, 7, 31, 10, 0), ldt(2026, 9, 30, 17, 0), ldt(2026, 9, 1, 17, 0)),
    # Due on Good Friday -> Easter Monday is a holiday too -> Tuesday 7 April (BST).
    (ldt(2026, 2, 3, 10, 0), ldt(2026, 4, 7, 17, 0), ldt(2026, 3, 3, 17, 0)),
    # Due on Sunday 27 December 2026 -> Monday 28 is Boxing Day's substitute -> Tuesday 29th.
    (ldt(2026, 10, 27, 10, 0), ldt(2026, 12, 29, 17, 0), ldt(2026, 11, 27, 17, 0)),
    # Decided after 17:00: still the same day of the month.
    (ldt(2026, 3, 4, 19, 0), ldt(2026, 5, 5, 17, 0), ldt(2026, 4, 7, 17, 0)),
]


@pytest.mark.parametrize("decided, due, warning", ENQUIRY)
def test_enquiry(decided, due, warning):
    check(ClockKind.ENQUIRY, "", decided, due, warning)


FEEDBACK = [
    (ldt(2026, 3, 2, 10, 0), ldt(2026, 3, 3, 17, 0), ldt(2026, 3, 3, 15, 0)),
    (ldt(2026, 3, 2, 17, 0), ldt(2026, 3, 3, 17, 0), ldt(2026, 3, 3, 15, 0)),
    (ldt(2026, 3, 2, 18, 0), ldt(2026, 3, 3, 17, 0), ldt(2026, 3, 3, 15, 0)),  # decision's date
    (ldt(2026, 3, 2, 6, 0), ldt(2026, 3, 3, 17, 0), ldt(2026, 3, 3, 15, 0)),
    (ldt(2026, 3, 7, 10, 0), ldt(2026, 3, 9, 17, 0), ldt(2026, 3, 9, 15, 0)),  # Saturday
    (ldt(2026, 5, 22, 10, 0), ldt(2026, 5, 26, 17, 0), ldt(2026, 5, 26, 15, 0)),
    (ldt(2026, 4, 6, 10, 0), ldt(2026, 4, 7, 17, 0), ldt(2026, 4, 7, 15, 0)),  # on Easter Monday
    (ldt(2026, 12, 31, 12, 0), ldt(2027, 1, 4, 17, 0), ldt(2027, 1, 4, 15, 0)),
    (ldt(2027, 12, 24, 12, 0), ldt(2027, 12, 29, 17, 0), ldt(2027, 12, 29, 15, 0)),
    (ldt(2032, 12, 23, 12, 0), ldt(2032, 12, 24, 17, 0), ldt(2032, 12, 24, 15, 0)),
    (ldt(2032, 12, 24, 12, 0), ldt(2032, 12, 29, 17, 0), ldt(2032, 12, 29, 15, 0)),
    (ldt(2026, 3, 27, 12, 0), ldt(2026, 3, 30, 17, 0), ldt(2026, 3, 30, 15, 0)),
    (ldt(2026, 10, 23, 12, 0), ldt(2026, 10, 26, 17, 0), ldt(2026, 10, 26, 15, 0)),
]


@pytest.mark.parametrize("decided, due, warning", FEEDBACK)
def test_feedback(decided, due, warning):
    check(ClockKind.FEEDBACK, "", decided, due, warning)


def test_closure_days_move_clocks_and_are_named():
    closed = WorkingCalendar({date(2026, 12, 24): "Christmas Eve closure"})
    result = check(
        ClockKind.CONCERN_DECISION,
        "",
        ldt(2026, 12, 23, 18, 0),
        ldt(2026, 12, 29, 17, 0),
        ldt(2026, 12, 29, 15, 0),
        calendar=closed,
    )
    assert "Thu 24 Dec 2026 (council closure: Christmas Eve closure)" in result.explanation
    assert "Mon 28 Dec 2026 (bank holiday: Boxing Day (observed))" in result.explanation


def test_explanation_names_skipped_days_and_hours():
    result = compute(default_rule("concern_decision"), ldt(2026, 5, 22, 18, 0), CAL)
    assert result.explanation.splitlines() == [
        "Starts Fri 22 May 2026 18:00 BST.",
        "Rule: the same working day: 17:00 on the day it starts if that is a working day and it "
        "starts before 17:00, otherwise 17:00 on the next working day.",
        "It starts at 18:00, not before 17:00, so it counts from the next working day.",
        "Skipped: Sat 23 May 2026 (weekend), Sun 24 May 2026 (weekend), "
        "Mon 25 May 2026 (bank holiday: Spring Bank Holiday).",
        "Due Tue 26 May 2026 17:00 BST.",
        "Warning Tue 26 May 2026 15:00 BST: 2 working hours before due.",
    ]
    mash = compute(default_rule("mash_decision"), ldt(2026, 3, 27, 16, 0), CAL)
    assert "Counted: Fri 27 Mar 2026 16:00-17:00 (1 h); Mon 30 Mar 2026 09:00-16:00 (7 h)." in (
        mash.explanation
    )
    assert "the clocks changed on Sun 29 Mar 2026 (GMT to BST)" in mash.explanation
    enquiry = compute(default_rule("enquiry"), ldt(2026, 12, 31, 10, 0), CAL)
    assert "is Sun 28 Feb 2027 (that month is shorter, so its last day)." in enquiry.explanation
    assert "skipped Sun 28 Feb 2027 (weekend)" in enquiry.explanation


# ---- pauses ---------------------------------------------------------------------------------


MON = (2026, 3, 2)


def test_working_hour_pause_moves_due_by_paused_working_time():
    result = compute(
        default_rule("mash_decision"),
        ldt(*MON, 9, 0),
        CAL,
        [Pause(ldt(*MON, 10, 0), ldt(*MON, 12, 0), "awaiting police checks")],
    )
    assert result.due == ldt(2026, 3, 3, 11, 0)
    assert result.warning == ldt(2026, 3, 3, 9, 0)
    assert "awaiting police checks): 2 h of working time not counted" in result.explanation
    assert "Counted: Mon 2 Mar 2026 09:00-10:00 (1 h); Mon 2 Mar 2026 12:00-17:00 (5 h)" in (
        result.explanation
    )


def test_pause_over_a_weekend_counts_only_its_working_time():
    result = compute(
        default_rule("mash_decision"),
        ldt(2026, 3, 6, 9, 0),
        CAL,
        [(ldt(2026, 3, 6, 16, 0), ldt(2026, 3, 9, 10, 0))],
    )
    assert result.due == ldt(2026, 3, 9, 11, 0)  # 7 h Friday + 2 h paused -> Monday 11:00


def test_pause_that_the_extension_brings_inside_the_clock_also_counts():
    # Due Monday 17:00; a pause 10-12 moves it to Tuesday 11:00, which brings in a pause on
    # Tuesday 09:00-10:00: due Tuesday 12:00.
    pauses = [(ldt(*MON, 10, 0), ldt(*MON, 12, 0)), (ldt(2026, 3, 3, 9, 0), ldt(2026, 3, 3, 10, 0))]
    result = compute(default_rule("mash_decision"), ldt(*MON, 9, 0), CAL, pauses)
    assert result.due == ldt(2026, 3, 3, 12, 0)


def test_overlapping_pauses_count_once_and_time_before_the_start_not_at_all():
    pauses = [
        (ldt(*MON, 8, 0), ldt(*MON, 11, 0)),  # began before the clock
        (ldt(*MON, 10, 0), ldt(*MON, 12, 0)),  # overlaps the first
    ]
    result = compute(default_rule("rag", "red"), ldt(*MON, 10, 0), CAL, pauses)
    assert result.due == ldt(*MON, 16, 0)  # 2 h paused (10-12) + 4 h


@pytest.mark.parametrize(
    "kind, start, resumed, due",
    [
        # Paused for a week from Monday 11:00: the clock had 7 working hours left (MASH) ...
        ("mash_decision", ldt(*MON, 9, 0), ldt(2026, 3, 9, 9, 0), ldt(2026, 3, 9, 15, 0)),
        # ... or its whole day (concern): five working days were paused.
        ("concern_decision", ldt(*MON, 10, 0), ldt(2026, 3, 9, 9, 0), ldt(2026, 3, 9, 17, 0)),
        # Red: 4 real hours with 1 used before the pause; 3 left after a week.
        ("rag", ldt(*MON, 10, 0), ldt(2026, 3, 9, 9, 0), ldt(2026, 3, 9, 12, 0)),
    ],
)
def test_a_long_pause_leaves_the_time_that_was_left(kind, start, resumed, due):
    rule = default_rule(kind, "red" if kind == "rag" else "")
    result = compute(rule, start, CAL, [(ldt(*MON, 11, 0), resumed, "police")])
    assert result.due == due, result.explanation


def test_elapsed_pause_overnight():
    result = compute(
        default_rule("rag", "red"),
        ldt(*MON, 22, 0),
        CAL,
        [(ldt(*MON, 23, 0), ldt(2026, 3, 3, 1, 0))],
    )
    assert result.due == ldt(2026, 3, 3, 4, 0)
    assert "2 h not counted" in result.explanation


def test_working_day_pause_moves_due_by_working_days_touched():
    # Concern received Monday 10:00, paused 11-12 that day: due moves on one working day.
    result = compute(
        default_rule("concern_decision"),
        ldt(*MON, 10, 0),
        CAL,
        [(ldt(*MON, 11, 0), ldt(*MON, 12, 0), "capacity assessment")],
    )
    assert result.due == ldt(2026, 3, 3, 17, 0)
    assert "1 working day(s) not counted (Mon 2 Mar 2026)" in result.explanation
    # A pause only over the weekend touches no working day: the due time does not move.
    feedback = compute(
        default_rule("feedback"), ldt(2026, 3, 6, 10, 0), CAL, [(ldt(2026, 3, 7), ldt(2026, 3, 8))]
    )
    assert feedback.due == ldt(2026, 3, 9, 17, 0)


def test_month_pause_moves_due_by_whole_calendar_days():
    result = compute(
        default_rule("enquiry"),
        ldt(2026, 1, 12, 10, 0),
        CAL,
        [(ldt(2026, 1, 20, 9, 0), ldt(2026, 1, 29, 12, 0), "police investigation")],
    )
    # 9 days 3 hours paused -> 10 whole days: 12 March -> 22 March (Sunday) -> Monday 23 March.
    assert result.due == ldt(2026, 3, 23, 17, 0)
    # The warning (one month after the start) moves too: 12 Feb + 10 days = Sunday 22 Feb -> 23rd.
    assert result.warning == ldt(2026, 2, 23, 17, 0)


def test_open_pause_stops_the_clock():
    result = compute(
        default_rule("feedback"), ldt(*MON, 10, 0), CAL, [(ldt(*MON, 11, 0), None, "police")]
    )
    assert result.stopped
    assert (result.due, result.warning) == (None, None)
    assert "Paused since Mon 2 Mar 2026 11:00 GMT (police): the clock is stopped" in (
        result.explanation
    )


def test_pause_after_the_due_time_changes_nothing():
    late = [(ldt(2026, 3, 4, 10, 0), None)]
    result = compute(default_rule("feedback"), ldt(*MON, 10, 0), CAL, late)
    assert result.due == ldt(2026, 3, 3, 17, 0)
    assert "after it was due: the due time does not move" in result.explanation


def test_pause_cannot_resume_before_it_began():
    with pytest.raises(ValueError, match="resume before"):
        compute(default_rule("feedback"), ldt(*MON, 10, 0), CAL, [(ldt(*MON, 12), ldt(*MON, 11))])


# ---- rules ------------------------------------------------------------------------------------


def test_custom_rules_use_their_own_units():
    two_days = ClockRule(2, Unit.WORKING_DAYS, 1, Unit.WORKING_DAYS)
    result = compute(two_days, ldt(2026, 5, 21, 10, 0), CAL)  # Thursday before the bank holiday
    assert result.due == ldt(2026, 5, 26, 17, 0)
    assert result.warning == ldt(2026, 5, 22, 17, 0)
    assert "17:00 on the 2nd working day after the day it starts" in result.explanation
    # One month from 30 Jan is Sat 28 Feb -> due Mon 2 Mar 17:00; warning 48 real hours before.
    month = ClockRule(1, Unit.CALENDAR_MONTHS, 48, Unit.ELAPSED_HOURS, Anchor.BEFORE_DUE)
    result = compute(month, ldt(2026, 1, 30, 9, 0), CAL)
    assert (result.due, result.warning) == (ldt(2026, 3, 2, 17, 0), ldt(2026, 2, 28, 17, 0))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {
                "amount": -1,
                "unit": "working_hours",
                "warning_amount": 1,
                "warning_unit": "working_hours",
            },
            "negative",
        ),
        (
            {
                "amount": 0,
                "unit": "elapsed_hours",
                "warning_amount": 1,
                "warning_unit": "working_hours",
            },
            "only a working-days",
        ),
        (
            {
                "amount": 1,
                "unit": "fortnights",
                "warning_amount": 1,
                "warning_unit": "working_hours",
            },
            "fortnights",
        ),
    ],
)
def test_bad_rules_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ClockRule(**kwargs)


def test_naive_start_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        compute(default_rule("feedback"), datetime(2026, 3, 2, 10, 0), CAL)


def test_pathway_clocks():
    assert decision_kind("mash") == ClockKind.MASH_DECISION
    assert decision_kind("oppd") == ClockKind.CONCERN_DECISION
    assert kinds_for_pathway("learning-disabilities") == (
        ClockKind.CONCERN_DECISION,
        ClockKind.ENQUIRY,
        ClockKind.FEEDBACK,
    )
    assert ClockKind.ENQUIRY not in kinds_for_pathway("mash")
    assert ClockKind.RAG in kinds_for_pathway("mash")
    with pytest.raises(ValueError, match="unknown pathway"):
        decision_kind("housing")
    with pytest.raises(ValueError, match="no clock rule"):
        default_rule("rag", "purple")


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 30), 2, date(2027, 1, 30)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 12, 15), 13, date(2028, 1, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_results_are_in_utc_and_repeatable():
    start = ldt(2026, 10, 23, 16, 0)
    first = compute(default_rule("mash_decision"), start, CAL)
    assert first == compute(default_rule("mash_decision"), start, CAL)
    assert first.due - first.starts == timedelta(days=3, hours=1)  # Fri 15:00 UTC -> Mon 16:00 UTC
