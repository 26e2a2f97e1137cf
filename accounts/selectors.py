"""Reads about people for the pages that show them (council administrators only)."""

from django.db.models import QuerySet

from .models import Membership, MembershipStatus, Organisation


def memberships_awaiting_approval() -> QuerySet[Membership]:
    """Requests an administrator can decide now: the person has confirmed their address."""
    return (
        Membership.objects.filter(status=MembershipStatus.PENDING, user__email_verified=True,
                                  user__is_active=True)
        .select_related("user", "organisation")
        .order_by("requested_at", "pk")
    )


def approval_counts() -> dict[str, int]:
    pending = Membership.objects.filter(status=MembershipStatus.PENDING, user__is_active=True)
    return {
        "awaiting": pending.filter(user__email_verified=True).count(),
        "unconfirmed": pending.filter(user__email_verified=False).count(),
        "unverified_organisations": Organisation.objects.filter(verified=False).count(),
    }
