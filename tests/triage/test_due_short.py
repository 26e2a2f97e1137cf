"""The queue's due tag in a few words (issue 18): a table of cases at fixed London times."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.timetext import time_text
from core.vocabulary import DueState
from triage.selectors import due_short

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)  # a Wednesday


def at(day, hour, minute=0):
    return datetime(2026, 12, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize(("state", "due_at", "words"), [
    (DueState.ON_TIME, at(2, 17), "Due today 5pm"),
    (DueState.DUE_SOON, at(2, 11, 30), "Due today 11:30am"),
    (DueState.ON_TIME, at(3, 12), "Due tomorrow midday"),
    (DueState.ON_TIME, at(7, 9), "Due Mon 9am"),
    (DueState.ON_TIME, at(21, 17), "Due 21 Dec"),
    (DueState.OVERDUE, at(2, 9, 30), "Overdue since 9:30am"),
    (DueState.OVERDUE, at(1, 17), "Overdue 1 day"),
    (DueState.OVERDUE, at(2, 7), "Overdue 3 hours"),
    (DueState.OVERDUE, datetime(2026, 11, 24, 17, tzinfo=LONDON), "Overdue 8 days"),
    (DueState.PAUSED, at(1, 17), "Paused"),
])
def test_due_short(state, due_at, words):
    assert due_short(state=state, due_at=due_at, now=NOW) == words
    assert len(words) <= 20


def test_clock_time_in_london_in_summer():
    assert time_text(datetime(2026, 7, 1, 16, 5, tzinfo=ZoneInfo("UTC"))) == "5:05pm"
