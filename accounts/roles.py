"""What a signed-in person is, in one place, so views and templates never guess."""

from dataclasses import dataclass

from core.vocabulary import Role

from .models import MembershipRole, MembershipStatus, TeamRole


@dataclass(frozen=True)
class RoleInfo:
    role: Role
    organisation: object = None
    team: object = None


def role_of(user, *, team_memberships=None) -> RoleInfo:
    """The person's main role. Council administrator wins, then staff, then membership.
    `team_memberships`: a callable giving the person's team memberships, a manager's first,
    for a caller that has them read already (the navigation, referrals.access); None reads
    the first here."""
    if user.is_council_admin:
        return RoleInfo(Role.COUNCIL_ADMIN)
    # "manager" sorts before "triage": a manager of one team is a manager.
    if team_memberships is None:
        team_membership = user.team_memberships.select_related("team").order_by("role").first()
    else:
        team_membership = next(iter(team_memberships()), None)
    if team_membership is not None:
        role = Role.TEAM_MANAGER if team_membership.role == TeamRole.MANAGER else Role.TRIAGE_WORKER
        return RoleInfo(role, team=team_membership.team)
    membership = getattr(user, "membership", None)
    if membership is not None and membership.status == MembershipStatus.APPROVED:
        role = (
            Role.ORGANISATION_LEAD
            if membership.role == MembershipRole.SAFEGUARDING_LEAD
            else Role.REFERRER
        )
        return RoleInfo(role, organisation=membership.organisation)
    return RoleInfo(Role.PENDING, organisation=membership.organisation if membership else None)
