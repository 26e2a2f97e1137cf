"""The four pathway teams. Routing needs somewhere to send every referral."""

from django.contrib.auth.models import Group

from .models import Team

PATHWAY_TEAMS = [
    ("oppd", "OPPD contact centre", "020 7525 3324"),
    ("mental-health", "Mental health safeguarding team", "020 7525 0088"),
    ("learning-disabilities", "Learning disabilities team", "020 7525 2333"),
    ("mash", "Multi-Agency Safeguarding Hub (MASH)", "020 7525 1921"),
]


def pathway_teams_ensure() -> None:
    """Create any missing pathway team (and its permission group). Safe to re-run."""
    for pathway, name, phone in PATHWAY_TEAMS:
        if Team.objects.filter(pathway=pathway).exists():
            continue
        group, _ = Group.objects.get_or_create(name=f"team:{pathway}")
        Team.objects.create(pathway=pathway, name=name, group=group, phone=phone)
