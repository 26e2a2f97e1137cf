"""The decisions-explained figures against hand-computed data, every decision made through the
services (submit, rate, decide with the criteria or the level of need).

Adults, decided in October 2026:
  OPPD  1 not a concern      abuse not met
        2 concern, not met   unable to protect not met
        3 section 42 met     all met
        4 not a concern      care needs and abuse not met
  MH    5 concern, not met   care needs not met
  OPPD  6 not a concern, 17 months ago (outside the 12-month window)
So: OPPD 4 decisions, 3 without an enquiry, care needs 1, abuse 2, unable 1; MH 1, 1, 1, 0, 0.
Children (MASH): level 1 once, level 2 twice, level 3 once, level 4 never: 4 decisions.
"""

from datetime import UTC, datetime, timedelta

import pytest

from core.vocabulary import Outcome, Role
from dashboard.figures import SLUGS, Context, relevant
from dashboard.scope import Scope
from tests.factories.accounts import OrganisationFactory, ReferrerFactory
from tests.factories.referrals import referral_with
from tests.factories.triage import decide

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
EARLY = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)  # a Monday
OLD = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)


def _c(care, abuse, protect):
    return {"s42_care_needs": care, "s42_abuse": abuse, "s42_unable_to_protect": protect}


@pytest.fixture
def world():
    volunteer = ReferrerFactory(organisation=OrganisationFactory(sector="voluntary"))

    def decided(pathway, outcome, at=EARLY, **what):
        referral = referral_with(volunteer, pathway=pathway, received_at=at)
        decide(referral, outcome, now=at + timedelta(hours=2), **what)

    decided("oppd", Outcome.NOT_SAFEGUARDING, criteria=_c("met", "not_met", "not_known"))
    decided("oppd", Outcome.CONCERN_NOT_MET, criteria=_c("met", "met", "not_met"))
    decided("oppd", Outcome.S42_MET, criteria=_c("met", "met", "met"))
    decided("oppd", Outcome.NOT_SAFEGUARDING, criteria=_c("not_met", "not_met", "not_known"))
    decided("mental-health", Outcome.CONCERN_NOT_MET, criteria=_c("not_met", "met", "met"))
    decided("oppd", Outcome.NOT_SAFEGUARDING, at=OLD, criteria=_c("met", "not_met", "met"))
    for outcome, level in ((Outcome.NFA, "level-1"), (Outcome.EARLY_HELP, "level-2"),
                           (Outcome.FAMILY_HELP, "level-3"), (Outcome.EARLY_HELP, "level-2")):
        decided("mash", outcome, need_level=level)


def _ctx(scope=None, **filters):
    base = {"grain": "month", "months": 12, "pathway": None, "sector": None, "category": None,
            "urgency": None}
    return Context(scope=scope or Scope(role=Role.COUNCIL_ADMIN), filters={**base, **filters},
                   now=NOW)


OPPD = ["Older people and physical disabilities (OPPD)", 4, 3, 1, 2, 1]
MH = ["Mental health", 1, 1, 1, 0, 0]


def test_adult_decisions_by_criterion_not_met(world):
    assert SLUGS["s42-criteria"](_ctx()).rows == [
        OPPD, MH, ["All adult pathways", 5, 4, 2, 2, 1]]


def test_children_by_level_of_need(world):
    assert SLUGS["levels-of-need"](_ctx()).rows == [
        ["Level 1: Universal", 1, 25.0],
        ["Level 2: Early help (additional needs)", 2, 50.0],
        ["Level 3: Family help (complex needs)", 1, 25.0],
        ["Level 4: Acute (statutory and specialist)", 0, 0.0],
        ["All levels", 4, 100.0]]


def test_scopes_windows_and_pathways_narrow_the_figures(world):
    manager = Scope(role=Role.TEAM_MANAGER, pathway="oppd", team_name="OPPD")
    assert SLUGS["s42-criteria"](_ctx(manager)).rows == [OPPD, ["All adult pathways", *OPPD[1:]]]
    # 18 months back takes in the old decision too: one more abuse not met.
    assert SLUGS["s42-criteria"](_ctx(months=18)).rows[0] == [OPPD[0], 5, 4, 1, 3, 1]
    assert SLUGS["levels-of-need"](_ctx(sector="health")).rows[-1] == ["All levels", 0, None]
    mash = _ctx(pathway="mash")
    assert not relevant(mash, SLUGS["s42-criteria"]) and relevant(mash, SLUGS["levels-of-need"])
    oppd = _ctx(pathway="oppd")
    assert relevant(oppd, SLUGS["s42-criteria"]) and not relevant(oppd, SLUGS["levels-of-need"])
