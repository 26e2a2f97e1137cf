"""Security middleware: session limits, no caching of signed-in pages, audit of refusals."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers

from audit.services import audit_record, refusal_already_recorded
from core.vocabulary import AuditAction
from mfa.services import SESSION_ROLE_KEY, SESSION_SEEN_KEY, SESSION_STARTED_KEY

from .security import role_fingerprint, seen_needs_write, session_verdict
from .signed_in import cached_role_fingerprint

ENDED_MESSAGES = {
    "idle": "You were signed out because you had not done anything for {minutes} minutes. "
    "Anything you had not saved has been lost.",
    "absolute": "You were signed out because you had been signed in for a long time. "
    "Sign in again to carry on.",
    "role_changed": "You were signed out because your role or organisation changed. "
    "Sign in again to carry on.",
}


def _keep_alive_path() -> str | None:
    try:
        return reverse("mfa:keep-alive")
    except NoReverseMatch:  # a URLconf without the second-factor pages (some tests)
        return None


class SessionSecurityMiddleware:
    """Ends a signed-in session that has been idle too long, has lasted too long in total, or
    whose person's role has changed since sign-in. A disabled person is already signed out by
    Django (ModelBackend.get_user refuses inactive users)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = time.time()
            fingerprint = cached_role_fingerprint(request, user)
            verdict = session_verdict(
                started_at=session.get(SESSION_STARTED_KEY),
                last_seen_at=session.get(SESSION_SEEN_KEY),
                now=now,
                idle_seconds=settings.SESSION_IDLE_SECONDS,
                absolute_seconds=settings.SESSION_ABSOLUTE_SECONDS,
                stored_fingerprint=session.get(SESSION_ROLE_KEY),
                fingerprint=fingerprint,
            )
            if verdict.ends:
                audit_record(
                    action=AuditAction.SESSION_ENDED, request=request, detail={"reason": verdict.reason}
                )
                logout(request)
                messages.info(
                    request,
                    ENDED_MESSAGES[verdict.reason].format(
                        minutes=settings.SESSION_IDLE_SECONDS // 60
                    ),
                )
                return redirect_to_login(request.get_full_path())
            # Pages and the keep-alive ping alike count as activity. A page writes the time at
            # most once a minute (SEEN_WRITE_SECONDS: most requests then cost no session UPDATE
            # and no second commit); "Stay signed in" always writes it, because its script
            # restarts the countdown from the moment of the click.
            if seen_needs_write(last_seen_at=session.get(SESSION_SEEN_KEY), now=now) or (
                request.path == _keep_alive_path()
            ):
                session[SESSION_SEEN_KEY] = now
            session.setdefault(SESSION_STARTED_KEY, now)
            session.setdefault(SESSION_ROLE_KEY, fingerprint)
        response = self.get_response(request)
        # Just signed in during this request: start the clocks now.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and SESSION_STARTED_KEY not in request.session:
            now = time.time()
            request.session[SESSION_STARTED_KEY] = now
            request.session[SESSION_SEEN_KEY] = now
            request.session[SESSION_ROLE_KEY] = role_fingerprint(user)
        return response


class NoStoreMiddleware:
    """Pages for a signed-in person may hold personal data: never cached by browsers or
    proxies (the back button after sign-out shows nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


# URL namespaces whose `pk` is a referral's pk (the agreed names in OWNERS.md).
REFERRAL_NAMESPACES = {"referrals", "triage", "feedback", "audit", "privacy"}
REFERRAL_KWARGS = ("referral_pk", "referral_id")


def referral_id_from(resolver_match) -> int | None:
    if resolver_match is None:
        return None
    kwargs = resolver_match.kwargs
    for name in REFERRAL_KWARGS:
        if name in kwargs:
            return _as_int(kwargs[name])
    if "pk" in kwargs and set(resolver_match.namespaces) & REFERRAL_NAMESPACES:
        return _as_int(kwargs["pk"])
    return None


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class RefusedAccessAuditMiddleware:
    """A 403 or 404 on a referral's URL is an audit row (allowed=False).

    Runs outside the request's transaction (ATOMIC_REQUESTS wraps only the view), so the row is
    kept even when the view raised and its own writes were rolled back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404) and not refusal_already_recorded(request):
            referral_id = referral_id_from(getattr(request, "resolver_match", None))
            if referral_id is not None:
                audit_record(
                    action=AuditAction.ACCESS_REFUSED,
                    request=request,
                    referral_id=referral_id,
                    allowed=False,
                    detail={"status": response.status_code,
                            "url_name": request.resolver_match.view_name},
                )
        return response
