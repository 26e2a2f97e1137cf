"""The working calendar: tables of cases, a property, and a cross-check against GOV.UK's dates."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathways.calendar import LONDON, WorkingCalendar, format_local

CAL = WorkingCalendar()
CLOSED = WorkingCalendar({date(2026, 12, 24): "Christmas Eve closure", date(2026, 6, 5): ""})


def ldt(*parts):
    """A London wall-clock time (what the policy talks about)."""
    return datetime(*parts, tzinfo=LONDON)


@pytest.mark.parametrize(
    "day, working, reason",
    [
        (date(2026, 3, 2), True, None),  # an ordinary Monday
        (date(2026, 3, 7), False, "weekend"),
        (date(2026, 3, 8), False, "weekend"),
        (date(2026, 4, 3), False, "bank holiday: Good Friday"),
        (date(2026, 4, 6), False, "bank holiday: Easter Monday"),
        (date(2026, 4, 7), True, None),
        (date(2026, 5, 25), False, "bank holiday: Spring Bank Holiday"),
        (date(2026, 12, 25), False, "bank holiday: Christmas Day"),
        # Boxing Day 2026 is a Saturday: the substitute day is Monday 28th.
        (date(2026, 12, 26), False, "weekend"),
        (date(2026, 12, 28), False, "bank holiday: Boxing Day (observed)"),
        # 2027: Christmas on Saturday, Boxing Day on Sunday, substitutes Monday and Tuesday.
        (date(2027, 12, 27), False, "bank holiday: Christmas Day (observed)"),
        (date(2027, 12, 28), False, "bank holiday: Boxing Day (observed)"),
        (date(2027, 12, 29), True, None),
        # 2028: New Year's Day is a Saturday, substitute Monday 3 January.
        (date(2028, 1, 3), False, "bank holiday: New Year's Day (observed)"),
        (date(2022, 1, 3), False, "bank holiday: New Year's Day (observed)"),
        (date(2032, 12, 27), False, "bank holiday: Christmas Day (observed)"),
        (date(2032, 12, 28), False, "bank holiday: Boxing Day (observed)"),
        (date(2022, 9, 19), False, "bank holiday: State Funeral of Queen Elizabeth II"),
    ],
)
def test_working_days_and_reasons(day, working, reason):
    assert CAL.is_working_day(day) is working
    assert CAL.non_working_reason(day) == reason


def test_closure_days_are_not_working_days_and_are_named():
    assert CLOSED.non_working_reason(date(2026, 12, 24)) == "council closure: Christmas Eve closure"
    assert CLOSED.non_working_reason(date(2026, 6, 5)) == "council closure: council closure"
    assert CAL.is_working_day(date(2026, 12, 24))  # only the calendar given the closure skips it
    assert CLOSED.next_working_day(date(2026, 12, 23)) == date(2026, 12, 29)


def test_calendar_is_frozen_and_hashable():
    with pytest.raises(AttributeError):
        CAL.opens = None
    assert hash(CLOSED) == hash(
        WorkingCalendar([(date(2026, 6, 5), ""), (date(2026, 12, 24), "Christmas Eve closure")])
    )


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2026, 3, 2), date(2026, 3, 3)),
        (date(2026, 3, 6), date(2026, 3, 9)),  # Friday -> Monday
        (date(2026, 5, 22), date(2026, 5, 26)),  # Friday before the Spring bank holiday
        (date(2026, 4, 2), date(2026, 4, 7)),  # Maundy Thursday -> Tuesday after Easter
        (date(2027, 12, 24), date(2027, 12, 29)),
        (date(2027, 12, 31), date(2028, 1, 4)),
        (date(2032, 12, 24), date(2032, 12, 29)),
    ],
)
def test_next_working_day(day, expected):
    assert CAL.next_working_day(day) == expected


@pytest.mark.parametrize(
    "start, hours, expected",
    [
        (ldt(2026, 3, 2, 8, 0), 1, ldt(2026, 3, 2, 10, 0)),  # before hours: from 09:00
        (ldt(2026, 3, 2, 9, 0), 8, ldt(2026, 3, 2, 17, 0)),  # never pushed past a closing
        (ldt(2026, 3, 2, 10, 0), 8, ldt(2026, 3, 3, 10, 0)),
        (ldt(2026, 3, 2, 16, 30), 0.5, ldt(2026, 3, 2, 17, 0)),
        (ldt(2026, 3, 2, 17, 0), 1, ldt(2026, 3, 3, 10, 0)),  # exactly 17:00
        (ldt(2026, 3, 2, 21, 0), 2, ldt(2026, 3, 3, 11, 0)),  # evening
        (ldt(2026, 3, 2, 12, 0), 0, ldt(2026, 3, 2, 12, 0)),
        (ldt(2026, 3, 7, 12, 0), 1, ldt(2026, 3, 9, 10, 0)),  # Saturday
        (ldt(2026, 5, 22, 16, 0), 2, ldt(2026, 5, 26, 10, 0)),  # Friday before bank holiday
        (ldt(2026, 5, 22, 18, 0), 8, ldt(2026, 5, 26, 17, 0)),
        (ldt(2026, 4, 2, 15, 0), 4, ldt(2026, 4, 7, 11, 0)),  # Easter
        (ldt(2026, 12, 24, 12, 0), 8, ldt(2026, 12, 29, 12, 0)),  # Christmas, Boxing Day sub
        (ldt(2027, 12, 24, 16, 0), 2, ldt(2027, 12, 29, 10, 0)),  # two substitute days
        (ldt(2027, 12, 31, 14, 0), 8, ldt(2028, 1, 4, 14, 0)),  # New Year substitute
        (ldt(2032, 12, 24, 16, 0), 24, ldt(2032, 12, 31, 16, 0)),
        # Clock changes: working days stay 8 real hours either side.
        (ldt(2026, 3, 27, 16, 0), 8, ldt(2026, 3, 30, 16, 0)),
        (ldt(2026, 10, 23, 16, 0), 8, ldt(2026, 10, 26, 16, 0)),
        (ldt(2026, 3, 2, 10, 0), timedelta(minutes=90), ldt(2026, 3, 2, 11, 30)),
    ],
)
def test_add_working_hours(start, hours, expected):
    result = CAL.add_working_hours(start, hours)
    assert result == expected
    assert result.tzinfo is UTC


def test_add_working_hours_is_utc_across_clock_changes():
    # 16:00 BST on Monday 30 March 2026 is 15:00 UTC; 16:00 GMT on 26 October is 16:00 UTC.
    assert CAL.add_working_hours(ldt(2026, 3, 27, 16, 0), 8) == datetime(
        2026, 3, 30, 15, 0, tzinfo=UTC
    )
    assert CAL.add_working_hours(ldt(2026, 10, 23, 16, 0), 8) == datetime(
        2026, 10, 26, 16, 0, tzinfo=UTC
    )


def test_closure_days_are_skipped_by_working_hours():
    assert CLOSED.add_working_hours(ldt(2026, 12, 23, 16, 0), 2) == ldt(2026, 12, 29, 10, 0)


@pytest.mark.parametrize(
    "end, hours, expected",
    [
        (ldt(2026, 3, 2, 17, 0), 2, ldt(2026, 3, 2, 15, 0)),
        (ldt(2026, 3, 3, 10, 0), 2, ldt(2026, 3, 2, 16, 0)),
        (ldt(2026, 3, 3, 11, 0), 2, ldt(2026, 3, 3, 9, 0)),  # never pulled before an opening
        (ldt(2026, 3, 7, 2, 0), 2, ldt(2026, 3, 6, 15, 0)),  # end on a Saturday night
        (ldt(2026, 5, 26, 10, 0), 2, ldt(2026, 5, 22, 16, 0)),
        (ldt(2026, 3, 30, 10, 0), 2, ldt(2026, 3, 27, 16, 0)),  # back across the March change
    ],
)
def test_subtract_working_hours(end, hours, expected):
    assert CAL.subtract_working_hours(end, hours) == expected
    assert CAL.add_working_hours(end, -hours) == expected


@pytest.mark.parametrize(
    "start, end, expected_hours",
    [
        (ldt(2026, 3, 2, 8, 0), ldt(2026, 3, 2, 18, 0), 8),
        (ldt(2026, 3, 2, 10, 0), ldt(2026, 3, 3, 10, 0), 8),
        (ldt(2026, 3, 6, 16, 0), ldt(2026, 3, 9, 10, 0), 2),  # over a weekend
        (ldt(2026, 5, 22, 16, 0), ldt(2026, 5, 26, 10, 0), 2),  # over a bank holiday weekend
        (ldt(2026, 3, 27, 9, 0), ldt(2026, 3, 30, 17, 0), 16),  # over the March change
        (ldt(2026, 10, 23, 9, 0), ldt(2026, 10, 26, 17, 0), 16),  # over the October change
        (ldt(2026, 3, 2, 12, 0), ldt(2026, 3, 2, 11, 0), 0),  # backwards is zero
        (ldt(2026, 3, 7, 0, 0), ldt(2026, 3, 8, 23, 0), 0),
    ],
)
def test_working_time_between(start, end, expected_hours):
    assert CAL.working_time_between(start, end) == timedelta(hours=expected_hours)


def test_is_working_time_edges():
    assert not CAL.is_working_time(ldt(2026, 3, 2, 8, 59))
    assert CAL.is_working_time(ldt(2026, 3, 2, 9, 0))
    assert CAL.is_working_time(ldt(2026, 3, 2, 16, 59))
    assert not CAL.is_working_time(ldt(2026, 3, 2, 17, 0))  # 17:00 is closed
    assert not CAL.is_working_time(ldt(2026, 4, 6, 12, 0))  # Easter Monday


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add_working_hours(datetime(2026, 3, 2, 10, 0), 1)


def test_clock_changes_are_named():
    changes = CAL.clock_changes(ldt(2026, 10, 23, 9, 0), ldt(2026, 10, 26, 17, 0))
    assert changes == [
        "the clocks changed on Sun 25 Oct 2026 (BST to GMT); times are shown in local time"
    ]
    assert CAL.clock_changes(ldt(2026, 3, 2, 9, 0), ldt(2026, 3, 9, 9, 0)) == []
    assert (
        format_local(datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON))
        == "Sun 25 Oct 2026 01:30 GMT"
    )


moments = st.datetimes(
    min_value=datetime(2019, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=200, deadline=None)
@given(start=moments, minutes=st.integers(min_value=1, max_value=60 * 40))
def test_adding_then_measuring_working_time_round_trips(start, minutes):
    span = timedelta(minutes=minutes)
    due = CAL.add_working_hours(start, span)
    assert CAL.working_time_between(start, due) == span
    assert CAL.is_working_time(due - timedelta(microseconds=1))
    back = CAL.subtract_working_hours(due, span)
    assert start <= back  # counting back lands at the start, or at the opening after it
    assert CAL.working_time_between(start, back) == timedelta(0)


def test_bank_holidays_match_govuk_published_dates_2019_to_2027():
    """Cross-check the offline rules against GOV.UK's own list (shipped in the package)."""
    from govuk_bank_holidays.bank_holidays import BankHolidays

    govuk = BankHolidays(use_cached_holidays=True).get_holidays(
        division=BankHolidays.ENGLAND_AND_WALES
    )
    published = {h["date"] for h in govuk if 2019 <= h["date"].year <= 2027}
    assert len(published) >= 8 * 9  # every year has at least eight: the data is really there
    day, mismatches = date(2019, 1, 1), []
    while day <= date(2027, 12, 31):
        ours = CAL.bank_holiday(day) is not None and day.weekday() < 5
        if ours != (day in published):
            mismatches.append(day)
        if CAL.is_working_day(day) != (day.weekday() < 5 and day not in published):
            mismatches.append(day)
        day += timedelta(days=1)
    assert mismatches == []
