"""The account-wide limit on wrong passwords, and the browsers it does not apply to.

django-axes locks a (account, address) pair after AXES_FAILURE_LIMIT failures, so failures from
one address never lock out anyone else. That alone lets an attacker with many addresses guess on
and on; so once an account has ACCOUNT_FAILURE_LIMIT failures from all addresses together within
the cool-off, further tries are refused without checking the password, until those failures
age out. The owner is not locked out everywhere: a browser that has signed in to the account
before carries a signed "device" cookie, and is let through (OWASP's "device cookies" defence
against lockout attacks). Tries refused here are not counted, so the pause ends one cool-off
after the last counted failure.
"""

from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.core import signing
from django.db.models import Sum

from .tokens import email_fingerprint

DEVICE_COOKIE = "portal_device"
SALT = "accounts.device"
MAX_ACCOUNTS_PER_DEVICE = 5  # people sharing a computer at work


def account_failures(*, username: str, now: datetime) -> int:
    """Failed sign-ins for this account from every address within the cool-off."""
    total = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=now - settings.AXES_COOLOFF_TIME
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


def _fingerprints(request) -> list[str]:
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if not value:
        return []
    try:
        known = signing.loads(value, salt=SALT,
                              max_age=settings.ACCOUNT_DEVICE_COOKIE_DAYS * 86400)
    except signing.BadSignature:
        return []
    return [str(item) for item in known] if isinstance(known, list) else []


def device_known(request, *, username: str) -> bool:
    return email_fingerprint(username) in _fingerprints(request)


def sign_in_paused(request, *, username: str, now: datetime) -> bool:
    """Whether to refuse this try without checking the password."""
    if account_failures(username=username, now=now) < settings.ACCOUNT_FAILURE_LIMIT:
        return False
    return not device_known(request, username=username)


def device_remember(response, request, *, username: str) -> None:
    """After a correct password: this browser may sign in to this account during a pause."""
    fingerprint = email_fingerprint(username)
    known = [item for item in _fingerprints(request) if item != fingerprint]
    known = [fingerprint, *known][:MAX_ACCOUNTS_PER_DEVICE]
    response.set_cookie(
        DEVICE_COOKIE, signing.dumps(known, salt=SALT),
        max_age=settings.ACCOUNT_DEVICE_COOKIE_DAYS * 86400, httponly=True,
        secure=settings.SESSION_COOKIE_SECURE, samesite="Lax",
    )
