"""The API against its own OpenAPI schema (issue 17, "tests that hold the contract").

Schemathesis generates requests from /api/v1/schema/ and runs them through the WSGI app with a
token holding every scope: no 5xx, every response (problems included) matches the schema. The
examples are few and fixed-seed (SCHEMATHESIS_EXAMPLES, default 8 a operation), so the whole
file stays under a minute on the shared 2-core machine. The refusal test walks every operation
in the schema: a client without the scope, or outside its pathways, gets nothing."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from .conftest import token_for

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))


@pytest.fixture
def api_schema(db, full_token):
    # The token first: django.test.Client reconnects the signals below after each request.
    # As django.test.Client does: the WSGI handler must not close the test's connection (its
    # transaction holds the test data) at the end of each request.
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json",
                                             get_wsgi_application())
    finally:
        for signal in signals:
            signal.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def full_token(client, register, decided):
    api_client, secret = register(rate=100_000)
    return token_for(client, api_client, secret)["access_token"]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_schema_says(case, full_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {full_token}"})


SCOPE_OF = {"get /api/v1/referrals/": "referrals:read",
            "get /api/v1/referrals/{id}/": "referrals:read",
            "get /api/v1/referrals/{id}/attachments/{attachment_pk}/": "referrals:read",
            "post /api/v1/referrals/{id}/handover/": "handover:write",
            "get /api/v1/events/": "events:read"}


def _operations(client):
    import json

    paths = json.loads(client.get("/api/v1/schema/?format=json").content)["paths"]
    return [(method, path, op) for path, item in paths.items() for method, op in item.items()]


def test_every_operation_refuses_a_client_without_its_scope_or_outside_its_pathways(
        client, register, bearer, decided):
    operations = _operations(client)
    assert {f"{m} {p}" for m, p, _ in operations} == set(SCOPE_OF), "a new operation: add it"
    mash_only, mash_secret = register(name="MASH system", pathways=["mash"], rate=100_000)
    outside = bearer(mash_only, mash_secret)
    for method, path, op in operations:
        url = path.replace("{id}", str(decided.pk)).replace("{attachment_pk}", "1")
        body = {"case_id": "C-1", "accepted_by": "Team"} if method == "post" else None
        needed = SCOPE_OF[f"{method} {path}"]
        others = [s for s in ("referrals:read", "handover:write", "events:read") if s != needed]
        lacking, secret = register(name=f"Lacks {needed} {path}", scopes=others, rate=100_000)
        response = getattr(client, method)(url, body, content_type="application/json",
                                           **bearer(lacking, secret))
        assert response.status_code == 403, (method, path)
        assert {"oauth2": [needed]} in op["security"]
        # Outside its pathways: the OPPD referral is not there for a MASH-only client.
        response = getattr(client, method)(url, body, content_type="application/json", **outside)
        assert response.status_code in (200, 404), (method, path)
        assert decided.reference not in response.content.decode(), (method, path)
