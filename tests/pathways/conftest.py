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
    from referrals.models import Referral

    def make(pathway="oppd", *, urgent=False, team=True, assignee=None, rag_rating="", **extra):
        return Referral.objects.create(
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
