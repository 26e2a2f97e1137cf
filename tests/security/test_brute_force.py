"""Wrong passwords (issue 14, attack 1): django-axes locks an (account, address) pair; an
account-wide pause spares browsers that have signed in before; addresses come through the
trusted proxies only (audit/client_address.py)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.throttle import DEVICE_COOKIE
from audit.models import AuditEvent

pytestmark = pytest.mark.usefixtures("mfa_enforced")

SIGN_IN = "/account/sign-in/"
PROXY = "10.0.0.2"
ATTACKER = "203.0.113.66"


def attempt(client, email, password, ip="10.0.0.1", forwarded_for=None):
    extra = {"REMOTE_ADDR": ip}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(SIGN_IN, {"username": email, "password": password}, **extra)


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def client_factory(db):
    from django.test import Client

    return Client


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    return settings


def test_failures_from_one_client_behind_the_proxy_do_not_lock_out_other_people(
    client_factory, make_user, password, settings, behind_proxy
):
    """The reproduced attack: made-up emails (and a real one) through the proxy the README
    prescribes, then three real people from other clients sign in."""
    people = [make_user(f"person{n}@example.org") for n in range(3)]
    attacker = client_factory()
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(attacker, f"made-up{n}@example.org", "wrong", ip=PROXY, forwarded_for=ATTACKER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(attacker, people[0].email, "wrong", ip=PROXY, forwarded_for=ATTACKER)
    # The attacker's own pair is locked ...
    assert attempt(attacker, people[0].email, password, ip=PROXY,
                   forwarded_for=ATTACKER).status_code == 429
    # ... and nobody else is, the targeted person included.
    for n, person in enumerate(people):
        client = client_factory()
        response = attempt(client, person.email, password, ip=PROXY,
                           forwarded_for=f"198.51.100.{n + 1}")
        assert response.status_code == 302, person.email
        assert signed_in(client)


def test_the_audit_records_the_clients_address_not_the_proxys(
    client, referrer, password, behind_proxy
):
    attempt(client, referrer.email, password, ip=PROXY, forwarded_for="198.51.100.7")
    # The second-factor page emails the code, an audited event.
    client.get(reverse("mfa:verify"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    rows = AuditEvent.objects.filter(actor=referrer)
    assert rows.exists()
    assert set(rows.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_a_forged_forwarded_for_from_an_untrusted_address_is_ignored(
    client, referrer, password, settings, behind_proxy
):
    """Not from the proxy: X-Forwarded-For was written by the client, so a fresh forged
    address per try does not reset the lock on the real one."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, referrer.email, "wrong", ip="192.0.2.50", forwarded_for=f"198.51.100.{n}")
    response = attempt(client, referrer.email, password, ip="192.0.2.50",
                       forwarded_for="198.51.100.200")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.50"}


def test_an_account_is_locked_for_the_address_its_failures_came_from(
    client_factory, referrer, password, settings
):
    client = client_factory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, referrer.email, "wrong", ip="10.0.1.1").status_code == 200
    # The failure that reaches the limit is itself answered with the lockout page.
    assert attempt(client, referrer.email, "wrong", ip="10.0.1.1").status_code == 429
    locked = attempt(client, referrer.email, password, ip="10.0.1.1")
    assert locked.status_code == 429
    assert b"Too many attempts to sign in" in locked.content
    assert not signed_in(client)
    # The owner elsewhere is not locked out.
    elsewhere = client_factory()
    assert attempt(elsewhere, referrer.email, password, ip="10.0.2.1").status_code == 302


def test_guessing_from_many_addresses_pauses_the_account_except_in_known_browsers(
    client_factory, referrer, password, settings
):
    """A per-account limit across addresses slows a distributed attacker; the owner's own
    browser (signed in before: the device cookie) is still let in."""
    settings.ACCOUNT_FAILURE_LIMIT = 12
    owners_browser = client_factory()
    assert attempt(owners_browser, referrer.email, password, ip="10.5.0.1").status_code == 302
    assert owners_browser.cookies.get(DEVICE_COOKIE)
    owners_browser.post(reverse("accounts:sign-out"))

    attacker = client_factory()
    for n in range(settings.ACCOUNT_FAILURE_LIMIT):
        assert attempt(attacker, referrer.email, "wrong", ip=f"10.6.0.{n}").status_code == 200
    # Paused for a new browser, even with the right password, and said so plainly.
    stranger = client_factory()
    paused = attempt(stranger, referrer.email, password, ip="10.7.0.1")
    assert paused.status_code == 200
    assert b"too many wrong passwords for this account" in paused.content
    assert not signed_in(stranger)
    # Paused tries are not counted: they cannot extend the pause.
    assert AccessAttempt.objects.filter(ip_address="10.7.0.1").count() == 0
    # The owner's browser signs in from yet another address.
    assert attempt(owners_browser, referrer.email, password, ip="10.8.0.1").status_code == 302
    assert signed_in(owners_browser)
    # A forged cookie does not help.
    stranger.cookies[DEVICE_COOKIE] = "forged"
    assert attempt(stranger, referrer.email, password, ip="10.7.0.1").status_code == 200
    assert not signed_in(stranger)


def test_the_lockout_ends_after_the_cool_off_and_is_not_extended_by_more_failures(
    client, referrer, password, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        attempt(client, referrer.email, "wrong")
    assert settings.AXES_COOLOFF_TIME <= timedelta(minutes=15)
    assert settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is False
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )
    response = attempt(client, referrer.email, password)
    assert response.status_code == 302
    assert client.get(reverse("home")).url.startswith(reverse("mfa:verify"))
