"""Fixtures for the clocks: referrals on each pathway and the people the sweep tells."""

import itertools
from datetime import datetime

import pytest

from pathways.calendar import LONDON

_numbers = itertools.count(1)


def ldt(*parts):
    return datetime(*parts, tzinfo=LONDON)


@pytest.fixture
def make_referral(referrer, teams):
    """A referral submitted through the services at `received_at` (default Monday 2 March
    2026, 10:00): routed to its pathway's team, with the decision clock submission opens
    (a test opening that clock again at the same start gets the running one); `assignee`
    claims it, `rag_rating` rates it then (MASH)."""
    from tests.factories import triage
    from tests.factories.referrals import referral_with

    def make(pathway="oppd", *, urgent=False, assignee=None, rag_rating="",
             received_at=None):
        received_at = received_at or ldt(2026, 3, 2, 10, 0)
        referral = referral_with(referrer, pathway=pathway, urgent=urgent,
                                 received_at=received_at, assignee=assignee,
                                 person_name="Alex Example")
        if rag_rating:
            triage.rag_rate(referral, rag_rating, now=received_at)
            referral.refresh_from_db()
        return referral

    return make


@pytest.fixture
def make_bare_referral(referrer, teams):
    """A submitted referral row with no clocks, no acknowledgement and no events: for the clock
    engine's and the sweep's own tests that watch one clock opened, paused or swept alone
    (submission would open the decision clock and queue notices first). Planted: the
    product never leaves a submitted referral without its decision clock (docs/testing.md)."""
    from referrals.models import Referral

    def make(pathway="oppd", *, urgent=False, team=True, assignee=None, rag_rating="", **extra):
        return Referral.objects.create(  # planted: a submitted referral with no clocks
            reference=f"TST{next(_numbers):05d}",
            pathway=pathway,
            team=teams[pathway] if team else None,
            status="submitted",
            urgent=urgent,
            referrer=referrer,
            assignee=assignee,
            rag_rating=rag_rating,
            person_name="Alex Example",
            received_at=extra.pop("received_at", ldt(2026, 3, 2, 10, 0)),
            **extra,
        )

    return make


@pytest.fixture
def oppd_people(staff_member, teams):
    """A triage worker, a team manager and a separate duty manager on the OPPD team."""
    from accounts.models import TeamMembership

    worker = staff_member("oppd", "triage")
    manager = staff_member("oppd", "manager")
    duty = staff_member("oppd", "triage", email="duty.oppd@council.example.gov.uk")
    TeamMembership.objects.filter(user=duty).update(is_duty_manager=True)
    return {"worker": worker, "manager": manager, "duty": duty}
