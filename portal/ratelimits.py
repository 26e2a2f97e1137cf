"""Rate limits on every form that sends email or creates records (issue 14, attack 4).

One table, by URL name, so a new endpoint is added in one place and a test walks the table.
Each limit counts POSTs per account and per address in fixed windows, in the cache named by
RATELIMIT_USE_CACHE (Redis in production, so every web process shares the counts).
django-ratelimit does the counting: it is small, cache-backed, and its `is_ratelimited` can be
called from one middleware instead of decorating views across five apps.

The account is the signed-in person, or for the anonymous forms the email address typed (so
twenty reset emails to one address stop at the third, whoever asks). Address limits are set
well above the account limits: a council office or an NHS trust sends everyone from one address.
Sign-in's per-account limit is django-axes's (settings.AXES_*), not this table's.
"""

from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited


@dataclass(frozen=True)
class Limit:
    group: str  # a key of settings.RATE_LIMITS
    account: str  # "user", "email" (the address typed in the form) or "" (none)


LIMITS = {
    "accounts:sign-in": Limit("sign_in", ""),
    "accounts:sign-up": Limit("account_email", "email"),
    "accounts:verify-resend": Limit("account_email", "email"),
    "accounts:password-reset": Limit("account_email", "email"),
    "mfa:verify": Limit("second_factor", "user"),
    "mfa:setup": Limit("second_factor", "user"),
    "referrals:start": Limit("drafts", "user"),
    "referrals:step": Limit("draft_edits", "user"),
    "referrals:check": Limit("draft_edits", "user"),
    "feedback:add-information": Limit("messages", "user"),
    "feedback:chase": Limit("messages", "user"),
    "feedback:give-by-phone": Limit("messages", "user"),
    "triage:claim": Limit("staff_writes", "user"),
    "triage:assign": Limit("staff_writes", "user"),
    "triage:note": Limit("staff_writes", "user"),
    "triage:action": Limit("staff_writes", "user"),
    "learning:give-feedback": Limit("referrer_feedback", "user"),
    "learning:rate": Limit("referrer_feedback", "user"),
}


def _account_key(group, request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "email:" + request.POST.get("email", "").strip().lower()[:254]


def _user_key(group, request):
    user = getattr(request, "user", None)
    # Not signed in: the view will send them to sign in; only the address limit applies.
    return f"user:{user.pk}" if user is not None and user.is_authenticated else ""


def limited(request, limit: Limit) -> bool:
    """Count this POST against its limits; True when one is exceeded."""
    account_rate, address_rate = settings.RATE_LIMITS[limit.group]
    over = False
    if limit.account:
        key = _user_key if limit.account == "user" else _account_key
        if key(limit.group, request):
            over |= is_ratelimited(request, group=f"{limit.group}:account", key=key,
                                   rate=account_rate, method="POST", increment=True)
    over |= is_ratelimited(request, group=f"{limit.group}:address", key="ip",
                           rate=address_rate, method="POST", increment=True)
    return over


UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def window_seconds(rate: str) -> int:
    """The counting window of a django-ratelimit rate such as "3/h" or "100/15m"."""
    period = rate.partition("/")[2]
    return int(period[:-1] or 1) * UNIT_SECONDS[period[-1]]


def too_many_requests(request, limit: Limit):
    wait = max(window_seconds(rate) for rate in settings.RATE_LIMITS[limit.group])
    response = render(request, "portal/too_many_requests.html",
                      {"wait_minutes": max(1, wait // 60)}, status=429)
    response["Retry-After"] = str(wait)
    return response


class RateLimitMiddleware:
    """Answers 429 with the service's own page before the view runs (and writes nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match is None:
            return None
        limit = LIMITS.get(request.resolver_match.view_name)
        if limit is not None and limited(request, limit):
            return too_many_requests(request, limit)
        return None
