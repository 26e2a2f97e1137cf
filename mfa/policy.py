"""Who must use which second factor. Pure rules, read by the middleware and the views."""

from django.urls import reverse


def totp_required(user) -> bool:
    """Staff (anyone in a team) and council administrators must use an authenticator app."""
    return bool(
        user.is_council_admin
        or user.is_staff
        or user.is_superuser
        or user.team_memberships.exists()
    )


def exempt_paths() -> tuple[str, ...]:
    """Paths an authenticated but unverified person may still reach."""
    from django.conf import settings

    return (
        reverse("mfa:verify"),
        reverse("mfa:setup"),
        reverse("accounts:sign-out"),
        reverse("accounts:signed-out"),
        settings.STATIC_URL,
    )
