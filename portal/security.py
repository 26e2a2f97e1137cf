"""Session rules: idle timeout, absolute limit, and ending sessions when a role changes.

Pure functions of the session, the user and `now`, so they are tested as tables.
"""

import hashlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model


def role_fingerprint(user) -> str:
    """A short hash of everything that decides what the person may see.

    Stored in the session at sign-in; any difference later (team memberships and their roles,
    organisation membership, its role and status, administrator flags) ends the session.
    One query, run on every signed-in request.
    """
    rows = sorted(
        get_user_model().objects.filter(pk=user.pk).values_list(
            "is_active", "is_council_admin", "is_staff", "is_superuser",
            "membership__organisation_id", "membership__role", "membership__status",
            "team_memberships__team_id", "team_memberships__role",
        ),
        key=repr,
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:32]


# The last-seen time is written to the session at most this often (docs/security.md, "Idle
# timeout"): a page within a minute of the last write costs no session UPDATE and no second
# commit. The stored time is then up to a minute behind the last activity, so the session ends
# between 29 and 30 minutes after it, never later; the page's countdown starts from the stored
# time (portal.security_context), so the warning never promises more than the server gives.
SEEN_WRITE_SECONDS = 60


def seen_needs_write(*, last_seen_at: float | None, now: float) -> bool:
    """Whether this request should store `now` as the session's last-seen time."""
    return last_seen_at is None or now - last_seen_at >= SEEN_WRITE_SECONDS


def idle_seconds_left(*, last_seen_at: float | None, now: float, idle_seconds: int) -> int:
    """Seconds until the idle timeout ends the session, counted from the stored last-seen time
    (what the server will compare), never negative."""
    if last_seen_at is None:
        return idle_seconds
    return max(0, int(idle_seconds - (now - last_seen_at)))


@dataclass(frozen=True)
class SessionVerdict:
    ends: bool
    reason: str = ""


def session_verdict(
    *, started_at: float | None, last_seen_at: float | None, now: float, idle_seconds: int,
    absolute_seconds: int, stored_fingerprint: str | None, fingerprint: str,
) -> SessionVerdict:
    if last_seen_at is not None and now - last_seen_at > idle_seconds:
        return SessionVerdict(True, "idle")
    if started_at is not None and now - started_at > absolute_seconds:
        return SessionVerdict(True, "absolute")
    if stored_fingerprint is not None and stored_fingerprint != fingerprint:
        return SessionVerdict(True, "role_changed")
    return SessionVerdict(False)
