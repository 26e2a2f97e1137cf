"""The OpenAPI security scheme: OAuth 2.0 client credentials, and each operation's scope."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ClientAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ClientAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "flows": {"clientCredentials": {
                "tokenUrl": "/api/v1/oauth/token/",
                "scopes": dict(settings.OAUTH2_PROVIDER["SCOPES"]),
            }},
        }

    def get_security_requirement(self, auto_schema):
        scope = getattr(auto_schema.view, "required_scope", "")
        return {self.name: [scope] if scope else []}
