"""A canary typed into every free-text field of a referral never reaches logs, Celery task
arguments, emails or error pages; script payloads come out inert on the pages."""

import logging
import re

import pytest
from celery.signals import task_prerun
from django.core import mail
from django.test import Client
from django.urls import reverse

from core.vocabulary import Status
from referrals.models import Referral
from tests.conftest import otp_login
from tests.referrals.factories import ADULT_ANSWERS

CANARY = "Zanzibar-Canary-4417"
XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"
TEXT_FIELDS = {
    "urgent_reason", "person_name", "person_other_names", "person_address", "contact_how",
    "communication_needs", "interpreter_language", "linked_children", "what_happened",
    "concern_since", "where_details", "injuries_details", "crime_reference",
    "capacity_details", "adult_wants", "parents_why_not", "school", "gp",
    "other_professionals", "referrer_name", "referrer_job_title", "referrer_organisation",
    "oppd_care_provider", "description",
}

# Fields limited to 60 characters: the canary alone.
SHORT_FIELDS = {"crime_reference"}


def canary_answers():
    answers = {}
    for step, values in ADULT_ANSWERS.items():
        data = dict(values)
        for field in TEXT_FIELDS:
            data[field] = CANARY if field in SHORT_FIELDS else f"{CANARY} {field} {XSS}"
        answers[step] = data
    # Say yes where a yes opens a free-text follow-up, so the canary goes there too.
    answers["concern-details"].update({"police_informed": "yes", "injuries": "yes"})
    return answers


def walk_and_submit(client, answers):
    response = client.post(reverse("referrals:start"),
                           {"urgent": "yes", "urgent_reason": f"{CANARY} {XSS}"})
    assert response.status_code == 302
    while True:
        url = response["Location"]
        if url.endswith("/check/"):
            break
        key = url.rstrip("/").split("/")[-1]
        data = {**answers.get(key, {}), "action": "continue"}
        response = client.post(url, data)
        assert response.status_code == 302, (key, response.context["form"].errors)
    page = client.get(url)
    submission_key = re.search(r'name="submission_key" value="([0-9a-f-]+)"',
                               page.content.decode()).group(1)
    done = client.post(url, {"submission_key": submission_key})
    assert done.status_code == 302
    return page


@pytest.fixture
def task_calls():
    calls = []

    def record(sender=None, task_id=None, task=None, args=None, kwargs=None, **extra):
        calls.append((task.name, repr(args), repr(kwargs)))

    task_prerun.connect(record, weak=False)
    yield calls
    task_prerun.disconnect(record)


def test_the_canary_stays_out_of_logs_tasks_and_emails(client, referrer, caplog, task_calls,
                                                       mfa_enforced,
                                                       django_capture_on_commit_callbacks):
    otp_login(client, referrer)
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        check_page = walk_and_submit(client, canary_answers())
    referral = Referral.objects.get(referrer=referrer)
    assert referral.status == Status.SUBMITTED
    assert CANARY in referral.person_name  # it really went in
    assert str(referral.answers).count(CANARY) >= 5

    # Pages show it escaped: the payload is inert.
    html = check_page.content.decode()
    assert CANARY in html
    assert "<script>alert('x')</script>" not in html
    assert "onerror=alert(1)>" not in html
    assert "&lt;script&gt;" in html

    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert CANARY not in logged
    assert task_calls, "submission queues notices: the task path ran"
    assert not [call for call in task_calls if CANARY in "".join(call)]
    for message in mail.outbox:
        assert CANARY not in message.subject + message.body, message.subject


def test_error_pages_never_echo_what_was_sent(client, referrer, mfa_enforced, caplog):
    otp_login(client, referrer)
    caplog.set_level(logging.DEBUG)
    missing = client.get(f"/no-such-page/?name={CANARY}")
    assert missing.status_code == 404 and CANARY not in missing.content.decode()
    strict = Client(enforce_csrf_checks=True)
    otp_login(strict, referrer)
    refused = strict.post(reverse("referrals:start"), {"urgent": "yes",
                                                       "urgent_reason": CANARY})
    assert refused.status_code == 403 and CANARY not in refused.content.decode()
    assert CANARY not in caplog.text


def test_a_server_error_page_and_its_log_hold_no_personal_data(client, referrer, settings,
                                                                caplog, mfa_enforced):
    settings.ROOT_URLCONF = "tests.security.boom_urls"
    otp_login(client, referrer)
    client.raise_request_exception = False
    caplog.set_level(logging.DEBUG)
    response = client.post("/boom/", {"person_name": CANARY})
    assert response.status_code == 500
    assert CANARY not in response.content.decode()
    assert "Internal Server Error: /boom/" in caplog.text
    assert CANARY not in caplog.text
