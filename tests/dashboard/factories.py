"""Helpers for the dashboard's world: London times, organisations (the row the Django admin
writes: there is no service for them) and referrers signed up through the accounts services.
Referrals, clocks, events and notices come from the real services (tests/factories)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from accounts.models import Organisation, User
from tests.factories.accounts import OrganisationFactory, ReferrerFactory

LONDON = ZoneInfo("Europe/London")


def london(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def organisation(name="Peckham Food Bank", sector="voluntary") -> Organisation:
    return OrganisationFactory(name=name, sector=sector)


def referrer(org: Organisation) -> User:
    """The organisation's one approved referrer (signed up through the service)."""
    existing = User.objects.filter(membership__organisation=org).order_by("pk").first()
    return existing or ReferrerFactory(organisation=org)
