"""Clock explanations' times come from core.timetext, like every other time the portal shows
(STYLE: "times formatted only by core/timetext.py"); pathways.calendar.format_local used to
format its own."""

import ast
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core import timetext
from pathways import calendar

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(("moment", "text"), [
    (datetime(2024, 5, 24, 17, 0, tzinfo=UTC), "Fri 24 May 2024 18:00 BST"),
    (datetime(2026, 12, 7, 9, 5, tzinfo=UTC), "Mon 7 Dec 2026 09:05 GMT"),
    (datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON), "Sun 25 Oct 2026 01:30 GMT"),
    (datetime(2026, 10, 25, 1, 30, fold=0, tzinfo=LONDON), "Sun 25 Oct 2026 01:30 BST"),
])
def test_instant_text_and_format_local_agree(moment, text):
    assert timetext.instant_text(moment) == text
    assert calendar.format_local(moment) == text


def test_format_local_still_refuses_a_naive_time():
    with pytest.raises(ValueError, match="naive"):
        calendar.format_local(datetime(2026, 12, 7, 9, 5))


def test_the_calendar_formats_no_time_itself():
    """No strftime time directive in pathways/calendar.py: its times go through core.timetext."""
    source = Path(calendar.__file__).read_text()
    formats = [node.value for node in ast.walk(ast.parse(source))
               if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    formats += [spec for node in ast.walk(ast.parse(source)) if isinstance(node, ast.FormattedValue)
                and node.format_spec is not None
                for spec in [ast.unparse(node.format_spec)]]
    assert not [f for f in formats if "%H" in f or "%M" in f or "%I" in f]
