"""Session rules: idle timeout, absolute limit, and ending sessions when a role changes.

Pure functions of the session, the user and `now`, so they are tested as tables.
"""

import hashlib
from dataclasses import dataclass

from accounts.roles import role_of


def role_fingerprint(user) -> str:
    """A short hash of everything that decides what the person may see.

    Stored in the session at sign-in; any difference later (role, organisation, team,
    membership status, administrator flag) ends the session.
    """
    info = role_of(user)
    teams = sorted(user.team_memberships.values_list("team_id", "role"))
    membership = getattr(user, "membership", None)
    parts = [
        str(info.role),
        str(getattr(info.organisation, "pk", "")),
        str(getattr(info.team, "pk", "")),
        repr(teams),
        f"{membership.status}:{membership.role}:{membership.organisation_id}" if membership else "",
        f"{user.is_council_admin}:{user.is_staff}:{user.is_superuser}",
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


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
