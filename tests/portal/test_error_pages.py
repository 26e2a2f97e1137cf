"""The service's own error pages (issue 18, item 2): layout, GOV.UK wording, what to do next and
the teams' phone numbers, with DEBUG off (the test settings' default)."""

import sys
import types

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import path, reverse

from pathways.models import ContactPoint
from tests.conftest import otp_login
from tests.factories.accounts import pending_person

SERVICE = "Make a safeguarding referral"
PHONE = "020 7525 5000"  # the Emergency Duty Team's number from the contact points


@pytest.fixture
def edt_phone(db):
    return ContactPoint.objects.get(kind="edt").phone


def _branded(body: str):
    assert SERVICE in body and "govuk-header" in body and "govuk-footer" in body


def test_page_not_found_uses_the_layout_and_gov_uk_words(client, db, settings, edt_phone):
    settings.DEBUG = False
    body = client.get("/no-such-page/").content.decode()
    _branded(body)
    assert "Page not found" in body
    assert "If you typed the web address, check it is correct." in body
    assert edt_phone in body


def test_someone_awaiting_approval_making_a_referral_is_told_whom_to_phone(client, edt_phone):
    person = pending_person()
    otp_login(client, person)
    # Their home page says "telephone the team today": it gives the number.
    home = client.get(reverse("home")).content.decode()
    assert "telephone the team today" in home and edt_phone in home
    # "Make a new referral" on "Your referrals" is a helpful page, not a bare 403.
    mine = client.get(reverse("feedback:my-referrals")).content.decode()
    assert reverse("referrals:start") in mine
    response = client.get(reverse("referrals:start"))
    assert response.status_code == 403
    body = response.content.decode()
    _branded(body)
    assert "You cannot make a referral online yet" in body
    assert "not yet approved" in body and edt_phone in body


def test_a_refused_page_uses_the_layout(client, referrer, edt_phone):
    otp_login(client, referrer)
    response = client.get(reverse("accounts:approvals"))  # council administrators only
    assert response.status_code == 403
    body = response.content.decode()
    _branded(body)
    assert "You cannot use this page" in body and edt_phone in body


def test_a_stale_form_is_explained(db, referrer, edt_phone):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:sign-in"), {"username": referrer.email})
    assert response.status_code == 403
    body = response.content.decode()
    _branded(body)
    assert "Sorry, we could not send your form" in body and edt_phone in body


def _boom(request):
    raise RuntimeError("something broke")


@pytest.fixture
def broken_urls(settings):
    module = types.ModuleType("broken_urls")
    module.urlpatterns = [path("boom/", _boom)]
    module.handler500 = "portal.errors.server_error"
    sys.modules["broken_urls"] = module
    settings.ROOT_URLCONF = "broken_urls"
    settings.DEBUG = False
    yield
    del sys.modules["broken_urls"]


def test_server_error_page_has_the_numbers(db, broken_urls, edt_phone):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    _branded(body)
    assert "Sorry, there is a problem with the service" in body and edt_phone in body


def test_server_error_page_renders_when_the_database_is_what_failed(db, broken_urls, monkeypatch):
    def fail(*args, **kwargs):
        raise DatabaseError("connection lost")

    # Every read of the contact points fails, however the query is built (a patch on .all()
    # stopped reaching the page once phone_numbers() excluded blank numbers).
    monkeypatch.setattr(ContactPoint.objects, "get_queryset", fail)
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, there is a problem with the service" in body
    assert "Phone the council" in body


def _suspicious(request):
    from django.core.exceptions import SuspiciousOperation

    raise SuspiciousOperation("a crafted request")


def test_a_bad_request_has_the_services_own_page(db, settings, edt_phone):
    """Django's default 400 is a bare "Bad Request (400)"; ours has the layout, GOV.UK's
    words and the numbers, rendered without the request's context (a bad Host header is one
    way to get here, and the request cannot be trusted to build anything)."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["portal.example"]
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    body = response.content.decode()
    _branded(body)
    assert "Sorry, there is a problem with your request" in body and edt_phone in body
    assert "evil.example" not in body


def test_a_suspicious_request_inside_a_view_gets_the_same_page(db, settings, edt_phone):
    module = types.ModuleType("suspicious_urls")
    module.urlpatterns = [path("odd/", _suspicious)]
    module.handler400 = "portal.errors.bad_request"
    sys.modules["suspicious_urls"] = module
    settings.ROOT_URLCONF = "suspicious_urls"
    settings.DEBUG = False
    try:
        response = Client(raise_request_exception=False).get("/odd/")
    finally:
        del sys.modules["suspicious_urls"]
    assert response.status_code == 400
    body = response.content.decode()
    _branded(body)
    assert "Sorry, there is a problem with your request" in body and edt_phone in body
