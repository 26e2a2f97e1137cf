"""The four pathway teams. Routing needs somewhere to send every referral."""

from django.contrib.auth.models import Group

from .models import Team

PATHWAY_TEAMS = [
    ("oppd", "OPPD contact centre", "020 7525 3324"),
    ("mental-health", "Mental health safeguarding team", "020 7525 0088"),
    ("learning-disabilities", "Learning disabilities team", "020 7525 2333"),
    ("mash", "Multi-Agency Safeguarding Hub (MASH)", "020 7525 1921"),
]


def pathway_teams_ensure() -> list[Team]:
    """Create any missing pathway team (and its permission group); return all four.
    Safe to re-run: a transactional test's flush and a fresh demo both need them."""
    teams = []
    for pathway, name, phone in PATHWAY_TEAMS:
        team = Team.objects.filter(pathway=pathway).first()
        if team is None:
            group, _ = Group.objects.get_or_create(name=f"team:{pathway}")
            team = Team.objects.create(pathway=pathway, name=name, group=group, phone=phone)
        teams.append(team)
    return teams
