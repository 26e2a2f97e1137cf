"""Who may see which figures.

Team managers see their own pathway; council administrators see every pathway (and may filter
by one); an organisation's safeguarding lead sees only their organisation's referrals and only
the referrer-side figures. Everyone else is refused (the view audits the refusal).
"""

from dataclasses import dataclass

from accounts.roles import role_of
from core.vocabulary import Role


class NotAllowed(Exception):
    """The person may not see the dashboard."""


@dataclass(frozen=True)
class Scope:
    role: Role
    pathway: str | None = None  # fixed pathway (a manager's); None for all
    organisation_id: int | None = None  # fixed organisation (a lead's)
    organisation_name: str = ""
    team_name: str = ""

    @property
    def is_organisation(self) -> bool:
        return self.organisation_id is not None

    @property
    def can_choose_pathway(self) -> bool:
        return self.role == Role.COUNCIL_ADMIN

    def describe(self) -> str:
        if self.is_organisation:
            return f"Referrals made by {self.organisation_name}"
        if self.pathway:
            return f"Referrals to {self.team_name}"
        return "Referrals to every pathway"


def scope_for(user) -> Scope:
    if not user.is_authenticated or not user.is_active:
        raise NotAllowed
    info = role_of(user)
    if info.role == Role.COUNCIL_ADMIN:
        return Scope(role=info.role)
    if info.role == Role.TEAM_MANAGER:
        return Scope(role=info.role, pathway=info.team.pathway, team_name=info.team.name)
    if info.role == Role.ORGANISATION_LEAD:
        return Scope(role=info.role, organisation_id=info.organisation.pk,
                     organisation_name=info.organisation.name)
    raise NotAllowed
