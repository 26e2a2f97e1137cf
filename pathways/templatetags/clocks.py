"""`{% load clocks %}{% due_status deadline %}`: the "due in" tag for queue and referral pages."""

from django import template
from django.utils import timezone

from pathways.deadlines import due_status as compute_due_status
from pathways.policies import working_calendar

register = template.Library()


@register.inclusion_tag("pathways/_due_status.html", takes_context=True)
def due_status(context, deadline, now=None):
    """A GOV.UK tag (On time / Due soon / Overdue / Paused / Met) and a sentence for staff.

    The calendar is read once per render, however many deadlines a queue shows.
    """
    cache = context.render_context
    if "clocks_calendar" not in cache:
        cache["clocks_calendar"] = working_calendar()
    status = compute_due_status(deadline, now or timezone.now(), cache["clocks_calendar"])
    return {"status": status, "deadline": deadline}
