"""Template context for the idle-timeout warning (templates/security/_session_timeout.html)."""

import time

from django.conf import settings

from mfa.services import SESSION_SEEN_KEY

from .security import idle_seconds_left


def session_timeout(request):
    # The countdown runs from the last-seen time the server holds, which can be up to a minute
    # behind this request (portal.security.SEEN_WRITE_SECONDS), so that the warning never
    # promises more time than the session really has.
    session = getattr(request, "session", None)
    last_seen_at = session.get(SESSION_SEEN_KEY) if session is not None else None
    return {
        "session_idle_seconds": idle_seconds_left(
            last_seen_at=last_seen_at, now=time.time(), idle_seconds=settings.SESSION_IDLE_SECONDS
        ),
        "session_idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
        "session_warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
    }
