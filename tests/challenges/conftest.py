"""Challenges are built through the real services: a referrer signs up, submits, the team
decides (tests.factories), then the challenge services run at fixed times."""

from datetime import UTC, datetime

import pytest

from accounts.models import TeamRole
from tests.factories.accounts import LeadFactory, OrganisationFactory, ReferrerFactory, staff
from tests.factories.referrals import referral_with

# Monday 2 November 2026, 10:00 London (GMT): no bank holiday for weeks either side.
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Camberwell Day Centre", sector="voluntary")


@pytest.fixture
def referrer(organisation):
    return ReferrerFactory(organisation=organisation)


@pytest.fixture
def lead(organisation):
    return LeadFactory(organisation=organisation)


@pytest.fixture
def manager(db):
    return staff("oppd", TeamRole.MANAGER)


@pytest.fixture
def worker(db):
    return staff("oppd", TeamRole.TRIAGE)


@pytest.fixture
def decided(referrer, manager):
    """An adult referral decided "concern, section 42 not met" on Monday morning."""
    return referral_with(referrer, status="concern_decided", received_at=MONDAY)
