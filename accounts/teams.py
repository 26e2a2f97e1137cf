"""The pathway teams. Routing needs somewhere to send every referral.

The first four are the teams before issue 16; the All Age Disability service and the LADO were
added by accounts/migrations/0003_route_teams.py (docs/routing.md). Their phones are left
blank on purpose, "set by the council": an administrator enters the direct lines rather than a
number guessed (or borrowed from another team) here; `manage.py check` and the administrator's
home page list every number still unset (pathways.contacts.contacts_unset).
"""

from django.contrib.auth.models import Group

from .models import Team

PATHWAY_TEAMS = [
    ("oppd", "OPPD contact centre", "020 7525 3324"),
    ("mental-health", "Mental health safeguarding team", "020 7525 0088"),
    ("learning-disabilities", "Learning disabilities team", "020 7525 2333"),
    ("mash", "Multi-Agency Safeguarding Hub (MASH)", "020 7525 1921"),
    # Set by the council (it once borrowed the LD team's line: a caller asking about a
    # 19-year-old reached the 25+ team).
    ("all-age-disability", "All Age Disability service (0 to 25)", ""),
    ("lado", "Local Authority Designated Officer (LADO)", ""),
]


def pathway_teams_ensure() -> list[Team]:
    """Create any missing pathway team (and its permission group); return all of them.
    Safe to re-run: a transactional test's flush and a fresh demo both need them."""
    teams = []
    for pathway, name, phone in PATHWAY_TEAMS:
        team = Team.objects.filter(pathway=pathway).first()
        if team is None:
            group, _ = Group.objects.get_or_create(name=f"team:{pathway}")
            team = Team.objects.create(pathway=pathway, name=name, group=group, phone=phone)
        teams.append(team)
    return teams
