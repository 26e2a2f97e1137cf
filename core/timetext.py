"""Times and dates as GOV.UK writes them (GOV.UK style guide, "Times"): "5pm", "5:30pm",
"midday", "midnight", in London time. One formatter for pages, emails and the PDF (issue 18:
the confirmation said "5:00 p.m." and the queue "17:00")."""

from datetime import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def _local(at: datetime) -> datetime:
    return at.astimezone(LONDON) if at.tzinfo is not None else at


def time_text(at: datetime) -> str:
    """'5pm', '5:30pm', '9am', 'midday', 'midnight'."""
    local = _local(at)
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def date_text(at: datetime, *, short: bool = False) -> str:
    """'23 November 2026' ('23 Nov 2026' if short)."""
    local = _local(at)
    return f"{local.day} {local:%b %Y}" if short else f"{local.day} {local:%B %Y}"


def when_text(at: datetime) -> str:
    """'5pm on Monday 23 November 2026'."""
    local = _local(at)
    return f"{time_text(local)} on {local:%A} {date_text(local)}"


def date_time_text(at: datetime, *, short: bool = False) -> str:
    """'23 November 2026 at 5:30pm' ('23 Nov 2026, 5:30pm' if short, for tables)."""
    local = _local(at)
    if short:
        return f"{date_text(local, short=True)}, {time_text(local)}"
    return f"{date_text(local)} at {time_text(local)}"


def instant_text(at: datetime) -> str:
    """'Fri 24 May 2024 18:00 BST': the clock explanations' form (`clocks explain`, the
    referral's clock page). 24-hour and with the zone's name, because an explanation that
    crosses a clock change must say which hour it means."""
    local = _local(at)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M} {local.tzname()}"
