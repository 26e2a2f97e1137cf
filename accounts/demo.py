"""Demo organisations and people for the run command. Idempotent."""

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
from .teams import pathway_teams_ensure  # noqa: F401 (tests import it from here)

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


# Demo staff have people's names: the home page greets them by first name ("Welcome, Priya"),
# which read "Welcome, Older" when the name was the team's (issue 18).
STAFF_NAMES = {
    ("oppd", "triage"): "Priya Shah", ("oppd", "manager"): "Tom Okafor",
    ("mental-health", "triage"): "Grace Mensah", ("mental-health", "manager"): "Daniel Reid",
    ("learning-disabilities", "triage"): "Sofia Costa",
    ("learning-disabilities", "manager"): "Liam Byrne",
    ("mash", "triage"): "Hannah Clarke", ("mash", "manager"): "Kwame Asante",
    ("all-age-disability", "triage"): "Maya Patel",
    ("all-age-disability", "manager"): "Owen Hughes",
    ("lado", "triage"): "Ruth Adeyemi", ("lado", "manager"): "Sean Murphy",
}


def _user(email, full_name, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "email_verified": True, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


# Approved referrers, one per organisation that refers (fictional people).
REFERRERS = [
    ("referrer@camberwell-daycentre.example.org", "Dana Okafor", "Day centre volunteer",
     "Camberwell Day Centre", MembershipRole.REFERRER),
    ("lead@camberwell-daycentre.example.org", "Lee Marsh", "Centre manager",
     "Camberwell Day Centre", MembershipRole.SAFEGUARDING_LEAD),
    ("referrer@peckhamfoodbank.example.org", "Priya Shah", "Food bank coordinator",
     "Peckham Food Bank", MembershipRole.REFERRER),
    ("referrer@kch.example.nhs.uk", "Grace Mensah", "Ward nurse",
     "King's College Hospital (demo)", MembershipRole.REFERRER),
    ("referrer@housing.example.gov.uk", "Hamid Yusuf", "Housing officer",
     "Southwark Housing Services (demo)", MembershipRole.REFERRER),
    ("referrer@met.example.police.uk", "Paula Reid", "Police constable",
     "Met Police Southwark (demo)", MembershipRole.REFERRER),
    ("referrer@bellenden.example.sch.uk", "Tom Fielding", "Class teacher",
     "Bellenden Primary School (demo)", MembershipRole.REFERRER),
    ("lead@bellenden.example.sch.uk", "Bea Lawson", "Head teacher",
     "Bellenden Primary School (demo)", MembershipRole.SAFEGUARDING_LEAD),
]

# People who signed up and confirmed their address but wait for a council administrator, so
# the approvals page has something to decide in the demo.
WAITING = [
    ("volunteer@nunhead-knitting.example.org", "Nia Adeyemi", "Volunteer",
     "Nunhead Knitting Circle (demo, not verified)", Sector.VOLUNTARY),
    ("ola.bright@mail.example.com", "Ola Bright", "Faith group youth worker",
     "Faith Forum (demo)", Sector.OTHER),
]


def _approved(user, organisation, role):
    Membership.objects.get_or_create(
        user=user,
        defaults={"organisation": organisation, "role": role,
                  "status": MembershipStatus.APPROVED, "decided_at": timezone.now()},
    )


@transaction.atomic
def demo_people_ensure() -> list[tuple[str, str]]:
    """Organisations of each sector, one account per role and per pathway team, and two
    people awaiting approval. Returns (email, description) for the command to print."""
    people = []
    pathway_teams_ensure()
    for name, sector, domains in ORGANISATIONS:
        Organisation.objects.get_or_create(
            name=name, defaults={"sector": sector, "verified": True, "email_domains": domains}
        )
    for email, name, job, org_name, role in REFERRERS:
        organisation = Organisation.objects.get(name=org_name)
        _approved(_user(email, name, job_title=job), organisation, role)
        people.append((email, f"{role.label}, {organisation.name}"))
    for team in Team.objects.order_by("name"):
        for role in (TeamRole.TRIAGE, TeamRole.MANAGER):
            email = f"{role}.{team.pathway}@council.example.gov.uk"
            name = STAFF_NAMES.get((team.pathway, role), f"{role.label} {team.pathway}")
            user = _user(email, name, job_title=f"{role.label}, {team.name}")
            old_name = f"{team.get_pathway_display()} {role.label}"
            if user.full_name == old_name:  # demo data made before the names: rename
                user.full_name = name
                user.save(update_fields=["full_name"])
            TeamMembership.objects.get_or_create(
                user=user, team=team,
                defaults={"role": role, "is_duty_manager": role == TeamRole.MANAGER},
            )
            people.append((email, f"{role.label}, {team.name}"))
    _user("admin@council.example.gov.uk", "Alex Morgan", is_council_admin=True,
          is_staff=True, is_superuser=True, job_title="Safeguarding business support")
    people.append(("admin@council.example.gov.uk", "Council administrator (and Django admin)"))
    for email, name, job, org_name, sector in WAITING:
        organisation, _ = Organisation.objects.get_or_create(
            name=org_name, defaults={"sector": sector, "verified": False}
        )
        user = _user(email, name, job_title=job)
        Membership.objects.get_or_create(user=user, defaults={"organisation": organisation})
        people.append((email, f"Waiting for approval, {organisation.name}"))
    return people
