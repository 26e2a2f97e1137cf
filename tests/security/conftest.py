"""A world of two organisations and two teams: the object belongs to the other one."""

import pytest

CANARY_NAME = "Zebedee Quartermaine-Canary"
CANARY_ADDRESS = "17 Canary Wharf Mews, Peckham"
CANARY_POSTCODE = "SE15 9ZQ"
CANARY_STRINGS = (CANARY_NAME, "Quartermaine", CANARY_ADDRESS, CANARY_POSTCODE)


@pytest.fixture
def other_world(db, make_user, teams):
    """Organisation A with its referrer and a submitted OPPD referral (the object), which
    nobody in the access matrix may reach."""
    from accounts.models import Membership, MembershipStatus, Organisation, Sector
    from tests.factories.referrals import referral_with

    org_a = Organisation.objects.create(name="Peckham Food Bank", sector=Sector.VOLUNTARY)
    owner = make_user("owner@foodbank.example.org", "Olive Owner")
    membership = Membership.objects.create(
        user=owner, organisation=org_a, status=MembershipStatus.APPROVED
    )
    team = teams["oppd"]
    # Submitted as the form submits it: routed to OPPD, the team granted its access.
    referral = referral_with(owner, person_name=CANARY_NAME, person_address=CANARY_ADDRESS,
                             person_postcode=CANARY_POSTCODE,
                             what_happened=f"{CANARY_NAME} was hurt")
    assert referral.team == team and referral.organisation == org_a
    return {"organisation": org_a, "owner": owner, "membership": membership, "team": team,
            "referral": referral}


@pytest.fixture
def matrix_people(db, make_user, teams, other_world):
    """One person per role, all of organisation B or the MASH team (not the object's)."""
    from accounts.models import (
        Membership,
        MembershipRole,
        MembershipStatus,
        Organisation,
        Sector,
        TeamMembership,
    )

    org_b = Organisation.objects.create(name="Camberwell Day Centre B", sector=Sector.VOLUNTARY)
    referrer = make_user("ref@b.example.org", "Rita Referrer")
    Membership.objects.create(user=referrer, organisation=org_b,
                              status=MembershipStatus.APPROVED)
    lead = make_user("lead@b.example.org", "Lee Lead")
    Membership.objects.create(user=lead, organisation=org_b, status=MembershipStatus.APPROVED,
                              role=MembershipRole.SAFEGUARDING_LEAD)
    triage = make_user("triage@council.example.gov.uk", "Tia Triage")
    TeamMembership.objects.create(user=triage, team=teams["mash"], role="triage")
    manager = make_user("manager@council.example.gov.uk", "Max Manager")
    TeamMembership.objects.create(user=manager, team=teams["mash"], role="manager")
    # Pending at the object's own organisation: the closest a stranger gets.
    pending = make_user("pending@foodbank.example.org", "Pat Pending")
    Membership.objects.create(user=pending, organisation=other_world["organisation"],
                              status=MembershipStatus.PENDING)
    return {"anonymous": None, "referrer": referrer, "organisation_lead": lead,
            "triage_worker": triage, "team_manager": manager, "pending": pending}
