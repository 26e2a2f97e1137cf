"""Permission-scoped reads of referrals. Views and other apps read through here."""

from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet

from accounts.models import MembershipRole, MembershipStatus
from core.vocabulary import Status

from .models import Referral, ReferralGroupObjectPermission, ReferralUserObjectPermission


def drafts_for(user) -> QuerySet[Referral]:
    """The user's own unsent drafts, most recently touched first."""
    return Referral.objects.filter(referrer=user, status=Status.DRAFT).order_by("-updated_at")


def draft_for_referrer(user, pk: int) -> Referral | None:
    return drafts_for(user).filter(pk=pk).first()


def _is_lead_of(user, referral: Referral) -> bool:
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and membership.role == MembershipRole.SAFEGUARDING_LEAD
        and membership.status == MembershipStatus.APPROVED
        and referral.organisation_id == membership.organisation_id
    )


def _has_view_permission(user, referral: Referral) -> bool:
    """django-guardian's view_referral, through the user's own grant or a group: the groups of
    the teams they belong to, or a group they were put in directly (as triage.access reads it).
    """
    perm = {"permission__codename": "view_referral", "content_object": referral}
    groups = Group.objects.filter(Q(team__memberships__user=user) | Q(user=user)).values("pk")
    return (
        ReferralUserObjectPermission.objects.filter(user=user, **perm).exists()
        or ReferralGroupObjectPermission.objects.filter(group__in=groups, **perm).exists()
    )


def referral_for_user(user, pk: int) -> Referral | None:
    """The referral if this user may see it, else None.

    The referrer always sees their own (drafts too); a submitted referral is also visible to
    the organisation's safeguarding lead and to anyone holding view_referral on it (the
    receiving team's group).
    """
    if not user.is_authenticated:
        return None
    referral = (Referral.objects.select_related("team", "organisation", "referrer")
                .filter(pk=pk).first())
    if referral is None:
        return None
    if referral.referrer_id == user.pk:
        return referral
    if referral.status == Status.DRAFT:
        return None
    if _is_lead_of(user, referral) or _has_view_permission(user, referral):
        return referral
    return None


def referrals_for_organisation_lead(user) -> QuerySet[Referral]:
    """Every submitted referral the lead's organisation made (empty for anyone else)."""
    membership = getattr(user, "membership", None)
    if (membership is None or membership.role != MembershipRole.SAFEGUARDING_LEAD
            or membership.status != MembershipStatus.APPROVED):
        return Referral.objects.none()
    return (Referral.objects.filter(organisation_id=membership.organisation_id)
            .exclude(status=Status.DRAFT).order_by("-received_at"))


def submitted_for_referrer(user) -> QuerySet[Referral]:
    return (Referral.objects.filter(referrer=user).exclude(status=Status.DRAFT)
            .order_by("-received_at"))
