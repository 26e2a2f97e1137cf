"""Who is calling and what they may do: the bearer token's client, its scopes, its rate.

Every API view names the scope it needs (`required_scope`); the token must carry it and the
client must still hold it (an administrator can take a scope away, or suspend the client, and
tokens already issued stop working at once). Pathways are checked per referral through
referrals.access (referrals_for_system), never here.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions, permissions, throttling

from .models import ApiClient


class ClientAuthentication(OAuth2Authentication):
    """A valid bearer token of a registered, unsuspended client. request.user is anonymous (a
    system is not a person); request.auth is the token and request.client the ApiClient."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        _user, token = result
        client = ApiClient.objects.filter(application_id=token.application_id).first()
        if client is None or client.suspended:
            raise exceptions.AuthenticationFailed("This client is not registered or is suspended.")
        request.client = client
        return (AnonymousUser(), token)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ClientHasScope(permissions.BasePermission):
    message = "This client does not hold the scope this endpoint needs."

    def has_permission(self, request, view):
        client = getattr(request, "client", None)
        if client is None or request.auth is None:
            raise exceptions.NotAuthenticated()
        scope = getattr(view, "required_scope", None)
        if scope is None:
            return False
        return client.holds(scope) and request.auth.allow_scopes([scope])


class ClientRateThrottle(throttling.SimpleRateThrottle):
    """Requests a minute per client (its own figure, or API_RATE_PER_MINUTE), counted in the
    shared rate-limit cache so every web process agrees."""

    scope = "client"

    def __init__(self):
        self.cache = caches["ratelimit"]

    def get_rate(self):
        return None  # set per request in allow_request

    def allow_request(self, request, view):
        client = getattr(request, "client", None)
        if client is None:
            return True  # refused by authentication anyway
        self.rate = f"{client.rate_per_minute or settings.API_RATE_PER_MINUTE}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return f"api-client:{request.client.pk}"
