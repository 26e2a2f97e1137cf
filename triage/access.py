"""Who may see and act on which referral: django-guardian object permissions granted to a
team's group, read through the direct foreign-key permission table (one indexed join, no
generic object_pk strings), plus the person's role on that referral.

A staff member reaches a referral through the groups of the teams they belong to (and any
group they were put in directly), never through their global role alone.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from accounts.models import TeamMembership, TeamRole
from referrals import workflow
from referrals.models import Referral, ReferralGroupObjectPermission

VIEW = "view_referral"
TRIAGE = "triage_referral"


def groups_of(user) -> list[int]:
    """Ids of the groups the person acts through: their teams' groups and any direct group.
    Read once per request (a short list), so the referral filter can use the permission
    table's (group, permission, object) index instead of joining per row."""
    return list(
        Group.objects.filter(Q(team__memberships__user=user) | Q(user=user))
        .values_list("pk", flat=True).distinct()
    )


def referrals_for(user, perm: str = VIEW) -> QuerySet:
    """Referrals this staff member's teams hold `perm` on (an unevaluated queryset)."""
    if not user.is_authenticated:
        return Referral.objects.none()
    permission = Permission.objects.filter(
        content_type__app_label="referrals", codename=perm
    ).values("pk")[:1]
    grants = ReferralGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"),
        permission_id=Subquery(permission),
        group_id__in=groups_of(user),
    )
    return Referral.objects.filter(Exists(grants))


def can(user, referral, perm: str = VIEW) -> bool:
    return referrals_for(user, perm).filter(pk=referral.pk).exists()


def role_on(user, referral) -> str | None:
    """The role the person acts in on this referral (workflow.REFERRER/TRIAGE/MANAGER), or None.

    Staff need both a membership of the referral's team and the team's triage permission on the
    object; a referrer acts only on their own referral.
    """
    if not user.is_authenticated:
        return None
    if referral.referrer_id == user.pk:
        return workflow.REFERRER
    membership = TeamMembership.objects.filter(user=user, team_id=referral.team_id).first()
    if membership is None or not can(user, referral, TRIAGE):
        return None
    return workflow.MANAGER if membership.role == TeamRole.MANAGER else workflow.TRIAGE


def team_of(user):
    """The staff member's team for the queue (a manager's team first)."""
    membership = (
        TeamMembership.objects.filter(user=user).select_related("team").order_by("role").first()
    )
    return membership.team if membership else None


def is_manager(user, team) -> bool:
    return TeamMembership.objects.filter(user=user, team=team, role=TeamRole.MANAGER).exists()
