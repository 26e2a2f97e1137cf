"""Structured JSON logs: every line written during a request carries the request id and the
signed-in person's id, never their name, email, address, browser or search terms; the request
id comes back as the X-Request-ID header."""

import io
import json
import logging
import re

import pytest
from django.conf import settings
from django.test import Client

from ops import logconfig

pytestmark = pytest.mark.django_db

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture
def json_log():
    """The production JSON formatter on a handler of the root logger, for this test."""
    from django.utils.module_loading import import_string

    config = dict(logconfig.formatters()["json"])
    formatter_class = config.pop("()")
    if isinstance(formatter_class, str):
        formatter_class = import_string(formatter_class)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter_class(**config))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    def lines():
        return [json.loads(line) for line in stream.getvalue().splitlines() if line]

    yield lines
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_production_logs_are_json_by_default():
    assert settings.LOG_FORMAT == "json"  # test settings are the production settings here
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"


def test_every_response_has_a_fresh_request_id(client):
    first = client.get("/accessibility/")["X-Request-ID"]
    second = client.get("/accessibility/", HTTP_X_REQUEST_ID="Dana Volunteer")["X-Request-ID"]
    assert UUID.match(first) and UUID.match(second) and first != second


def test_request_lines_have_ids_and_nothing_personal(json_log, referrer, staff_member):
    worker = staff_member("oppd")
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (Dana's laptop)", REMOTE_ADDR="198.51.100.23")
    client.force_login(worker)
    response = client.get("/triage/", {"q": "Margaret Ellison", "postcode": "SE5 8AA"})
    assert response.status_code == 200
    logging.getLogger("portal.test").info("plain stdlib line")  # outside a request
    lines = json_log()
    finished = [line for line in lines if line["event"] == "request_finished"]
    assert len(finished) == 1
    line = finished[0]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == worker.pk
    assert line["request"] == "GET /triage/"  # no query string: search terms are personal
    assert line["code"] == 200 and line["level"] == "info" and "timestamp" in line
    text = json.dumps(lines)
    for personal in ("Margaret", "SE5 8AA", worker.email, worker.full_name, "198.51.100.23",
                     "Dana's laptop"):
        assert personal not in text
    assert any(line["event"] == "plain stdlib line" for line in lines)


def test_an_error_inside_a_request_is_logged_with_its_ids_and_not_its_body(
    json_log, referrer, settings
):
    settings.ROOT_URLCONF = "tests.security.boom_urls"
    client = Client(raise_request_exception=False)
    client.force_login(referrer)
    response = client.post("/boom/?name=Dana", {"person_name": "Zebedee Quartermaine"})
    assert response.status_code == 500
    lines = json_log()
    errors = [line for line in lines if line.get("logger") == "django.request"]
    assert errors and all(line["request_id"] == response["X-Request-ID"] for line in errors)
    assert all(line["user_id"] == referrer.pk for line in errors)
    assert "simulated failure" in json.dumps(errors)  # the traceback is there
    text = json.dumps(lines)
    assert "Zebedee" not in text and "Dana" not in text


REQUEST_EVENTS = ("request_started", "request_finished", "request_failed")


def test_one_line_per_request_with_its_id_status_and_duration(json_log, referrer):
    """Issue 19: `request_started` is DEBUG (not written at the production level), so each
    request writes one line, and that line has what an operator needs of a request: its id,
    the person's id, method and path, status and duration; 2xx at INFO, 4xx at WARNING."""
    client = Client()
    client.force_login(referrer)
    ok = client.get("/accessibility/")
    missing = client.get("/no-such-page/?q=Dana")
    lines = [line for line in json_log() if line.get("event") in REQUEST_EVENTS]
    assert [(line["event"], line["request"], line["code"], line["level"]) for line in lines] == [
        ("request_finished", "GET /accessibility/", 200, "info"),
        ("request_finished", "GET /no-such-page/", 404, "warning"),
    ]
    for line, response in zip(lines, (ok, missing), strict=True):
        assert line["request_id"] == response["X-Request-ID"]
        assert line["user_id"] == referrer.pk
        assert isinstance(line["duration_ms"], float) and 0 <= line["duration_ms"] < 60_000


def test_a_failed_requests_line_has_its_duration(json_log, referrer, settings):
    settings.ROOT_URLCONF = "tests.security.boom_urls"
    client = Client(raise_request_exception=False)
    client.force_login(referrer)
    response = client.post("/boom/", {"person_name": "Zebedee Quartermaine"})
    assert response.status_code == 500
    lines = [line for line in json_log() if line.get("event") in REQUEST_EVENTS]
    assert [(line["event"], line["code"], line["level"]) for line in lines] == [
        ("request_failed", 500, "error")]
    assert lines[0]["request_id"] == response["X-Request-ID"]
    assert isinstance(lines[0]["duration_ms"], float)


@pytest.mark.parametrize("key", ["ip", "user_agent", "email", "full_name", "person_name"])
def test_scrub_drops_personal_keys_and_query_strings(key):
    event = logconfig.scrub(None, "info", {"event": "x", key: "secret",
                                           "request": "GET /a/?q=Name"})
    assert key not in event and event["request"] == "GET /a/"
