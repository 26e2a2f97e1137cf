"""API fixtures: clients registered through api.services (as the admin page does), tokens from
the real token endpoint, referrals decided through the triage services."""

import base64

import pytest
from django.core.cache import caches

from api import services
from tests.factories.referrals import referral_with


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()


@pytest.fixture
def register(db, council_admin):
    """register(pathways=[...], scopes=[...]) -> (ApiClient, secret)."""
    def make(name="Mosaic (adults)", pathways=("oppd",),
             scopes=("referrals:read", "handover:write", "events:read"), rate=None):
        return services.client_register(name=name, pathways=list(pathways), scopes=list(scopes),
                                        actor=council_admin, rate_per_minute=rate)
    return make


def token_for(http, client, secret, scope=None) -> dict:
    basic = base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    response = http.post("/api/v1/oauth/token/", data, HTTP_AUTHORIZATION=f"Basic {basic}")
    return {"status": response.status_code, **response.json()}


@pytest.fixture
def bearer(client):
    """bearer(api_client, secret, scope=None) -> headers for the Django test client."""
    def make(api_client, secret, scope=None):
        answer = token_for(client, api_client, secret, scope)
        assert answer["status"] == 200, answer
        return {"HTTP_AUTHORIZATION": f"Bearer {answer['access_token']}"}
    return make


@pytest.fixture
def decided(referrer):
    """An OPPD referral decided today (section 42 met: an enquiry follows)."""
    return referral_with(referrer, pathway="oppd", status="enquiry")
