"""The teams' phone numbers, read from one place (ContactPoint, which administrators edit) for
every page that tells someone to telephone: the urgency step, the error pages, the home pages of
people waiting to act (issue 18)."""

import logging

from django.conf import settings
from django.db import DatabaseError

from accounts.models import Team

from .models import ContactKind, ContactPoint

log = logging.getLogger(__name__)


def phone_numbers() -> tuple[list[ContactPoint], list[ContactPoint]]:
    """(pathway teams, out-of-hours teams). Empty lists if the database cannot be read: the
    server error page asks for them, and must still render when the database is what failed."""
    try:
        # A blank number is one the council has still to set: never shown as a blank line.
        contacts = list(ContactPoint.objects.exclude(phone=""))
    except DatabaseError:
        log.warning("contacts.unavailable")
        return [], []
    return ([c for c in contacts if c.kind == ContactKind.PATHWAY],
            [c for c in contacts if c.kind == ContactKind.EDT])


def contacts_unset() -> list[str]:
    """Phone numbers still to be set by the council: contact points and teams whose number is
    blank (the LADO's and the All Age Disability service's, until an administrator enters
    them). Listed by `manage.py check` (pathways.checks) and the administrator's home page."""
    points = [f"Contact point: {name}" for name in
              ContactPoint.objects.filter(phone="").values_list("name", flat=True)]
    teams = [f"Team: {name}" for name in
             Team.objects.filter(phone="").values_list("name", flat=True)]
    return points + teams


def edt_contact() -> tuple[str, str]:
    """The Emergency Duty Team's email (the setting EMERGENCY_DUTY_TEAM_EMAIL, else its contact
    point's) and phone: where out-of-hours urgent referrals and escalations are emailed."""
    point = ContactPoint.objects.filter(kind=ContactKind.EDT).order_by("order", "pk").first()
    email = settings.EMERGENCY_DUTY_TEAM_EMAIL or (point.email if point else "")
    return email, point.phone if point else ""
