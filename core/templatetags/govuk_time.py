"""Template filters for core.timetext, built into every template (settings TEMPLATES
"builtins"): `{{ at|time_text }}`, `{{ at|when_text }}`, `{{ at|date_time }}`,
`{{ at|date_time_short }}`, `{{ at|date_only }}`. Empty values give ""."""

from django import template

from core import timetext

register = template.Library()


@register.filter
def time_text(at) -> str:
    return timetext.time_text(at) if at else ""


@register.filter
def when_text(at) -> str:
    return timetext.when_text(at) if at else ""


@register.filter
def date_time(at) -> str:
    return timetext.date_time_text(at) if at else ""


@register.filter
def date_time_short(at) -> str:
    return timetext.date_time_text(at, short=True) if at else ""


@register.filter
def date_only(at) -> str:
    """'23 November 2026' in London (the guidance page's "last updated")."""
    return timetext.date_text(at) if at else ""
