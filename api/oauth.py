"""django-oauth-toolkit hooks: a client may ask only for the scopes an administrator granted
it, and a suspended client is refused a token (its existing tokens are refused by api.auth)."""

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from .models import ApiClient


def _client_of(application) -> ApiClient | None:
    if application is None:
        return None
    return ApiClient.objects.filter(application=application).first()


class ClientScopes(BaseScopes):
    def get_all_scopes(self):
        return dict(settings.OAUTH2_PROVIDER["SCOPES"])

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        client = _client_of(application)
        if client is None or client.suspended:
            return []
        return [scope for scope in client.scopes if scope in self.get_all_scopes()]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        # A token asked for without `scope` carries everything the client holds.
        return self.get_available_scopes(application, request)


class ClientValidator(OAuth2Validator):
    def authenticate_client(self, request, *args, **kwargs):
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        client = _client_of(request.client)
        return client is not None and not client.suspended
