"""The Making Safeguarding Personal figure against hand-computed data, every referral
submitted and closed through the services at chosen times.

| referral | pathway | sector    | closed           | desired outcomes |
|----------|---------|-----------|------------------|------------------|
| a        | OPPD    | voluntary | 6 Oct 2026       | fully            |
| b        | OPPD    | voluntary | 7 Oct 2026       | partly           |
| c        | OPPD    | health    | 8 Oct 2026       | not achieved     |
| d        | MH      | health    | 9 Oct 2026       | not asked        |
| e        | OPPD    | voluntary | 3 Jun 2025       | fully (17 months ago: outside 12 months) |
| f        | MASH    | health    | 6 Oct 2026       | (a child's: never counted) |
| g        | OPPD    | voluntary | still open       | (not counted) |

OPPD: 3 closed, 1 / 1 / 1 / 0, achieved (fully or partly) 2 of 3 asked = 66.7%.
MH: 1 closed, 0 / 0 / 0 / 1, achieved: no one asked, no figure.
All adult pathways: 4 closed, 1 / 1 / 1 / 1, 2 of 3 = 66.7%.
"""

from datetime import UTC, datetime, timedelta

import pytest

from core.vocabulary import Role
from dashboard.figures import SLUGS, Context, sections_for
from dashboard.scope import Scope
from tests.factories import triage
from tests.factories.accounts import OrganisationFactory, ReferrerFactory
from tests.factories.referrals import referral_with

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
OCT = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)  # a Monday
OLD = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)

OPPD = "Older people and physical disabilities (OPPD)"


@pytest.fixture
def world():
    charity = OrganisationFactory(name="Camberwell Day Centre", sector="voluntary")
    hospital = OrganisationFactory(name="King's College Hospital", sector="health")
    volunteer, nurse = ReferrerFactory(organisation=charity), ReferrerFactory(organisation=hospital)

    def closed(referrer, pathway, at, msp):
        referral = referral_with(referrer, pathway=pathway, received_at=at)
        triage.close(referral, now=at + timedelta(days=1), msp_outcome=msp)

    closed(volunteer, "oppd", OCT, "fully")
    closed(volunteer, "oppd", OCT + timedelta(days=1), "partly")
    closed(nurse, "oppd", OCT + timedelta(days=2), "not_achieved")
    closed(nurse, "mental-health", OCT + timedelta(days=3), "not_asked")
    closed(volunteer, "oppd", OLD, "fully")
    closed(nurse, "mash", OCT, "")
    referral_with(volunteer, pathway="oppd", received_at=OCT)
    return charity


def _ctx(scope=None, **filters):
    base = {"grain": "month", "months": 12, "pathway": None, "sector": None, "category": None,
            "urgency": None}
    return Context(scope=scope or Scope(role=Role.COUNCIL_ADMIN), filters={**base, **filters},
                   now=NOW)


def _rows(scope=None, **filters):
    return SLUGS["msp"](_ctx(scope, **filters)).rows


def test_counts_by_pathway_and_answer(world):
    rows = _rows()
    assert [row[:6] for row in rows] == [
        [OPPD, 3, 1, 1, 1, 0], ["Mental health", 1, 0, 0, 0, 1],
        ["All adult pathways", 4, 1, 1, 1, 1]]
    assert round(rows[0][6], 1) == 66.7 and rows[1][6] is None and round(rows[2][6], 1) == 66.7


def test_filters_scopes_and_the_window(world):
    assert [r[:6] for r in _rows(sector="health")] == [
        [OPPD, 1, 0, 0, 1, 0], ["Mental health", 1, 0, 0, 0, 1],
        ["All adult pathways", 2, 0, 0, 1, 1]]
    manager = Scope(role=Role.TEAM_MANAGER, pathway="mental-health", team_name="Mental health")
    assert [r[:6] for r in _rows(manager)] == [["Mental health", 1, 0, 0, 0, 1],
                                               ["All adult pathways", 1, 0, 0, 0, 1]]
    assert _rows(months=18)[0][:3] == [OPPD, 4, 2]  # the old closure comes in


def test_a_childrens_manager_and_a_lead_do_not_see_it(world):
    mash = Scope(role=Role.TEAM_MANAGER, pathway="mash", team_name="MASH")
    lead = Scope(role=Role.ORGANISATION_LEAD, organisation_id=world.pk,
                 organisation_name=world.name)
    for scope in (mash, lead):
        slugs = {t.slug for s in sections_for(_ctx(scope)) for t in s["tables"]}
        assert "msp" not in slugs
