"""Demo organisations and people for the run command. Idempotent."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    Organisation,
    Sector,
    Team,
    TeamMembership,
    TeamRole,
    User,
)

DEMO_PASSWORD = "demo-safeguarding-2026"

ORGANISATIONS = [
    ("Camberwell Day Centre", Sector.VOLUNTARY, ["camberwell-daycentre.example.org"]),
    ("Peckham Food Bank", Sector.VOLUNTARY, ["peckhamfoodbank.example.org"]),
    ("King's College Hospital (demo)", Sector.HEALTH, ["kch.example.nhs.uk"]),
    ("Southwark Housing Services (demo)", Sector.HOUSING, ["housing.example.gov.uk"]),
    ("Met Police Southwark (demo)", Sector.POLICE, ["met.example.police.uk"]),
    ("Bellenden Primary School (demo)", Sector.EDUCATION, ["bellenden.example.sch.uk"]),
    ("Southwark Council (demo)", Sector.COUNCIL, ["council.example.gov.uk"]),
    ("Faith Forum (demo)", Sector.OTHER, []),
]


# The same teams as migration 0002 makes; a flushed test database needs them again.
PATHWAY_TEAMS = [
    ("oppd", "OPPD contact centre", "020 7525 3324"),
    ("mental-health", "Mental health safeguarding team", "020 7525 0088"),
    ("learning-disabilities", "Learning disabilities team", "020 7525 2333"),
    ("mash", "Multi-Agency Safeguarding Hub (MASH)", "020 7525 1921"),
]


def pathway_teams_ensure() -> list[Team]:
    teams = []
    for pathway, name, phone in PATHWAY_TEAMS:
        team = Team.objects.filter(pathway=pathway).first()
        if team is None:
            group, _ = Group.objects.get_or_create(name=f"team:{pathway}")
            team = Team.objects.create(pathway=pathway, name=name, group=group, phone=phone)
        teams.append(team)
    return teams


def _user(email, full_name, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "email_verified": True, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def demo_people_ensure() -> list[tuple[str, str]]:
    people = []
    orgs = {}
    for name, sector, domains in ORGANISATIONS:
        orgs[sector], _ = Organisation.objects.get_or_create(
            name=name, defaults={"sector": sector, "verified": True, "email_domains": domains}
        )
    vcs = Organisation.objects.get(name="Camberwell Day Centre")
    for email, name, role in [
        ("referrer@camberwell-daycentre.example.org", "Dana Okafor", MembershipRole.REFERRER),
        ("lead@camberwell-daycentre.example.org", "Lee Marsh", MembershipRole.SAFEGUARDING_LEAD),
    ]:
        user = _user(email, name)
        Membership.objects.get_or_create(
            user=user,
            defaults={"organisation": vcs, "role": role, "status": MembershipStatus.APPROVED,
                      "decided_at": timezone.now()},
        )
        people.append((email, f"{role.label}, {vcs.name}"))
    for sector in (Sector.HEALTH, Sector.EDUCATION):
        org = orgs[sector]
        email = f"referrer@{org.email_domains[0]}"
        user = _user(email, f"{sector.label} Referrer")
        Membership.objects.get_or_create(
            user=user, defaults={"organisation": org, "status": MembershipStatus.APPROVED,
                                 "decided_at": timezone.now()},
        )
        people.append((email, f"Referrer, {org.name}"))
    for team in Team.objects.order_by("name"):
        for role in (TeamRole.TRIAGE, TeamRole.MANAGER):
            email = f"{role}.{team.pathway}@council.example.gov.uk"
            user = _user(email, f"{team.get_pathway_display()} {role.label}")
            TeamMembership.objects.get_or_create(
                user=user, team=team,
                defaults={"role": role, "is_duty_manager": role == TeamRole.MANAGER},
            )
            people.append((email, f"{role.label}, {team.name}"))
    _user("admin@council.example.gov.uk", "Council Administrator", is_council_admin=True,
          is_staff=True, is_superuser=True)
    people.append(("admin@council.example.gov.uk", "Council administrator (and Django admin)"))
    return people
