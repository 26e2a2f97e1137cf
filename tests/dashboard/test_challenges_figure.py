"""The challenges figure against hand-computed data, every challenge made through the services
(submit, decide, raise, answer, the sweep).

OPPD, voluntary sector: challenge 1 upheld at stage 1; challenge 2 unanswered, passed on to
stage 2 by the sweep and still waiting. MASH, health: challenge 3 answered, the decision
stands. A fourth (OPPD, voluntary) was raised 17 months ago, outside the 12-month window.
"""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import TeamRole
from challenges.services import challenge_answer, challenge_raise
from challenges.sweep import challenges_sweep
from core.vocabulary import Role
from dashboard.figures import SLUGS, Context
from dashboard.scope import Scope
from tests.factories.accounts import OrganisationFactory, ReferrerFactory, staff
from tests.factories.referrals import referral_with

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
EARLY = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)  # a Monday
OLD = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def world():
    day_centre = OrganisationFactory(name="Camberwell Day Centre", sector="voluntary")
    hospital = OrganisationFactory(name="King's College Hospital", sector="health")
    volunteer, nurse = ReferrerFactory(organisation=day_centre), ReferrerFactory(organisation=hospital)
    oppd, mash = staff("oppd", TeamRole.MANAGER), staff("mash", TeamRole.MANAGER)

    def challenged(referrer, pathway, status, at):
        referral = referral_with(referrer, pathway=pathway, status=status, received_at=at)
        return challenge_raise(referral=referral, actor=referrer, reason="Why",
                               now=at + timedelta(hours=1))

    first = challenged(volunteer, "oppd", "concern_decided", EARLY)
    challenge_answer(challenge=first, actor=oppd, upheld=True, response="Looked again",
                     now=EARLY + timedelta(days=1))
    second = challenged(volunteer, "oppd", "concern_decided", EARLY)
    challenges_sweep(now=second.due_at + timedelta(minutes=1))  # stage 1 to stage 2 only
    third = challenged(nurse, "mash", "mash_decided", EARLY)
    challenge_answer(challenge=third, actor=mash, upheld=False, response="It stands",
                     now=EARLY + timedelta(days=2))
    old = challenged(volunteer, "oppd", "concern_decided", OLD)
    challenge_answer(challenge=old, actor=oppd, upheld=False, response="It stands",
                     now=OLD + timedelta(days=1))
    return day_centre


def _table(scope=None, **filters):
    base = {"grain": "month", "months": 12, "pathway": None, "sector": None, "category": None,
            "urgency": None}
    ctx = Context(scope=scope or Scope(role=Role.COUNCIL_ADMIN), filters={**base, **filters},
                  now=NOW)
    return SLUGS["challenges"](ctx).rows


OPPD_ROW = ["Older people and physical disabilities (OPPD)", "Voluntary and community",
            2, 1, 0, 1, 1]
MASH_ROW = ["Children (MASH)", "Health", 1, 0, 1, 0, 0]


def test_counts_by_pathway_and_sector_with_outcomes(world):
    assert _table() == [OPPD_ROW, MASH_ROW, ["All pathways", "All sectors", 3, 1, 1, 1, 1]]


def test_scopes_and_filters_narrow_the_rows(world):
    manager = Scope(role=Role.TEAM_MANAGER, pathway="oppd", team_name="OPPD")
    assert _table(manager) == [OPPD_ROW, ["All pathways", "All sectors", *OPPD_ROW[2:]]]
    assert _table(sector="health") == [MASH_ROW, ["All pathways", "All sectors", *MASH_ROW[2:]]]
    lead = Scope(role=Role.ORGANISATION_LEAD, organisation_id=world.pk,
                 organisation_name=world.name)
    assert _table(lead)[0] == OPPD_ROW
    # 18 months back takes in the old challenge too.
    assert _table(months=18)[0][2:4] == [3, 1]


def test_the_chart_labels_each_bar_with_what_it_counts(world):
    """The chart's bars are challenges by where they stand (1 upheld, 1 stands, 1 waiting); the
    stages passed on unanswered are stages, not challenges, and are not a bar (a fourth bar
    once read "Withdrawn" and showed them)."""
    ctx = Context(scope=Scope(role=Role.COUNCIL_ADMIN),
                  filters={"grain": "month", "months": 12, "pathway": None, "sector": None,
                           "category": None, "urgency": None}, now=NOW)
    svg = str(SLUGS["challenges"](ctx).chart)
    assert "Withdrawn" not in svg
    for label in ("Upheld", "Decision stands", "Waiting for an answer"):
        assert label in svg
