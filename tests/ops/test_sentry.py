"""Optional Sentry: on only with SENTRY_DSN; what it would send holds no personal data.

The events are captured by a transport in this process (Sentry is outside our system); the
Django integration, the scrubbing and the request that fails are real."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sentry_sdk
from django.test import Client
from sentry_sdk.transport import Transport

from ops.sentry import before_send, sentry_options

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


class Captured(Transport):
    events: list = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type == "event":
                Captured.events.append(item.payload.json)


@pytest.fixture
def sentry_on():
    Captured.events = []
    options = sentry_options(dsn="https://public@127.0.0.1:9/1", environment="test",
                             release="")
    sentry_sdk.init(**options, transport=Captured)
    yield Captured.events
    sentry_sdk.init(dsn=None)  # off again for the rest of the suite


def test_a_failing_request_is_reported_without_personal_data(sentry_on, referrer, settings):
    settings.ROOT_URLCONF = "tests.security.boom_urls"
    client = Client(raise_request_exception=False, HTTP_USER_AGENT="Dana's laptop",
                    REMOTE_ADDR="198.51.100.23")
    client.force_login(referrer)
    client.cookies["tracking"] = "Dana-Volunteer"
    response = client.post("/boom/?name=Dana+Volunteer", {"person_name": "Zebedee Quartermaine"})
    assert response.status_code == 500
    sentry_sdk.flush()
    assert sentry_on, "no event was captured"
    event = next(e for e in sentry_on if "exception" in e)
    assert any(v["value"].startswith("simulated failure") for v in event["exception"]["values"])
    text = repr(sentry_on)  # every event, the error log lines' too
    for personal in ("Zebedee", "Dana", "198.51.100.23", referrer.email, "sessionid"):
        assert personal not in text, personal
    request = event["request"]
    assert request.get("data") in (None, "[Filtered]")
    assert request.get("cookies") in (None, "[Filtered]")
    assert request.get("query_string") in (None, "", "[Filtered]")
    assert not any("vars" in frame for value in event["exception"]["values"]
                   for frame in value.get("stacktrace", {}).get("frames", []))


def test_before_send_scrubs_what_other_integrations_might_add():
    event = {
        "request": {"url": "https://portal/x/?q=Name", "data": {"person_name": "Z"},
                    "cookies": {"sessionid": "abc"}, "query_string": "q=Name",
                    "headers": {"Cookie": "sessionid=abc", "Authorization": "Bearer t",
                                "Content-Type": "text/html"}},
        "user": {"id": 7, "email": "a@b.example", "ip_address": "198.51.100.23"},
        "breadcrumbs": {"values": [{"category": "query", "message": "SELECT", "data": {
            "params": ["Z"]}}]},
    }
    scrubbed = before_send(event, {})
    assert scrubbed["request"]["url"] == "https://portal/x/"
    assert scrubbed["request"]["data"] == scrubbed["request"]["cookies"] == "[Filtered]"
    assert scrubbed["request"]["query_string"] == "[Filtered]"
    assert scrubbed["request"]["headers"] == {"Content-Type": "text/html"}
    assert scrubbed["user"] == {"id": 7}
    assert "data" not in scrubbed["breadcrumbs"]["values"][0]


def test_sentry_is_on_only_with_a_dsn_and_never_sends_pii():
    code = ("import django; django.setup(); import sentry_sdk; c = sentry_sdk.get_client(); "
            "print(c.is_active(), c.options.get('send_default_pii'), "
            "c.options.get('include_local_variables'), c.options.get('before_send').__name__ "
            "if c.options.get('before_send') else None)")
    env = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings_test"
    off = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert off.stdout.split()[0] == "False", off.stderr[-2000:]
    env["SENTRY_DSN"] = "https://public@127.0.0.1:9/1"
    on = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                        text=True, timeout=120)
    assert on.stdout.split() == ["True", "False", "False", "before_send"], on.stderr[-2000:]
