"""Who is told when a clock warns or breaches, or an urgent referral waits: the one place.

accounts owns people and teams, so the rule lives here; the sweep (referrals.sweep) asks it and
writes the notices. A referral is read only for its team, pathway and assignee.

- warning: the assignee and the team's managers;
- breach: the team's managers and duty managers;
- urgent referral not picked up: the team's managers and duty managers;
- the referrer added information: the assignee, or with nobody assigned the team's managers
  (who allocate);
- the referrer chased a missed timeframe: the team's managers;
- what the referrer is told (acknowledgement, decision, progress, challenge): the referrer, or
  the colleague their organisation's lead handed the follow-up to (follow_up_person).
Inactive people are never told; with nobody set up, the team's shared inbox is (see
referrals.sweep).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q

from .models import Membership, MembershipStatus, Team, TeamMembership, TeamRole, User


def team_of(referral) -> Team | None:
    """The referral's team, or its pathway's team before one is set."""
    if referral.team_id:
        return referral.team
    return Team.objects.filter(pathway=referral.pathway).first()


class TeamPeople:
    """Who is told on each team of a batch: its managers and duty managers, read in one query
    for the whole batch (a batch is one short transaction, so the answer cannot go stale
    within it)."""

    def __init__(self, referrals):
        self._pathway_teams: dict[str, Team | None] = {}
        self._managers: dict[int, list[User]] = defaultdict(list)
        self._duty: dict[int, list[User]] = defaultdict(list)
        teams = {self.team_of(referral) for referral in referrals} - {None}
        if not teams:
            return
        # The same people as Team.managers() and the duty managers, for every team at once.
        memberships = (
            TeamMembership.objects.filter(team__in=teams, user__is_active=True)
            .filter(Q(role=TeamRole.MANAGER) | Q(is_duty_manager=True))
            .select_related("user")
            .order_by("pk")
        )
        for membership in memberships:
            if membership.role == TeamRole.MANAGER:
                self._managers[membership.team_id].append(membership.user)
            if membership.is_duty_manager:
                self._duty[membership.team_id].append(membership.user)

    def team_of(self, referral) -> Team | None:
        if referral.team_id:
            return referral.team
        if referral.pathway not in self._pathway_teams:
            self._pathway_teams[referral.pathway] = team_of(referral)
        return self._pathway_teams[referral.pathway]

    def managers(self, team) -> list[User]:
        return self._managers[team.pk] if team is not None else []

    def duty_managers(self, team) -> list[User]:
        return self._duty[team.pk] if team is not None else []


def warning_recipients(referral, people: TeamPeople) -> list[User]:
    """Warning: to the assignee and the team manager(s)."""
    assignee = [referral.assignee] if referral.assignee_id else []
    return _active(assignee + people.managers(people.team_of(referral)))


def breach_recipients(referral, people: TeamPeople) -> list[User]:
    """Breach: to the team manager(s) and the duty manager(s)."""
    team = people.team_of(referral)
    return _active(people.managers(team) + people.duty_managers(team))


def pickup_recipients(referral, people: TeamPeople) -> list[User]:
    """Urgent and not picked up: to the team manager(s) and the duty manager(s)."""
    team = people.team_of(referral)
    return _active(people.managers(team) + people.duty_managers(team))


def _active(people: list) -> list[User]:
    """Each active person once, in order."""
    unique = {person.pk: person for person in people if person is not None and person.is_active}
    return list(unique.values())


def information_added_recipients(referral) -> list[User]:
    """The referrer added information: the assignee; with nobody assigned yet, the team's
    managers (who allocate)."""
    if referral.assignee_id and referral.assignee.is_active:
        return [referral.assignee]
    return list(referral.team.managers()) if referral.team_id else []


def chase_recipients(referral) -> list[User]:
    """The referrer chased a missed timeframe: the team's managers."""
    return list(referral.team.managers()) if referral.team_id else []


def follow_up_person(referral) -> User:
    """Who receives what the referrer is told: the colleague the organisation's lead handed
    the follow-up to, while they are an active, approved member of the organisation that made
    the referral; otherwise the referrer. No query unless the follow-up was handed on (the
    submission's acknowledgement costs what it did)."""
    # The submission loads the referral with only the columns it needs; a draft is never
    # handed on (referrals.access.may_pass_follow_up), so a deferred column means nobody.
    if "follower_id" in referral.get_deferred_fields():
        return referral.referrer
    if referral.follower_id:
        follower = referral.follower
        if follower.is_active and Membership.objects.filter(
                user=follower, organisation_id=referral.organisation_id,
                status=MembershipStatus.APPROVED).exists():
            return follower
    return referral.referrer
