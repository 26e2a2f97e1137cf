"""Template context for the idle-timeout warning (templates/security/_session_timeout.html)."""

from django.conf import settings


def session_timeout(request):
    return {
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "session_idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
        "session_warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
    }
