"""django-axes: per account and per address, with a short cool-off."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("mfa_enforced")

SIGN_IN = "/account/sign-in/"


def attempt(client, email, password, ip="10.0.0.1"):
    return client.post(SIGN_IN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_an_account_is_locked_after_repeated_failures_even_from_new_addresses(
    client, referrer, password, settings
):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, referrer.email, "wrong", ip=f"10.0.1.{n}").status_code == 200
    # The failure that reaches the limit is itself answered with the lockout page.
    assert attempt(client, referrer.email, "wrong", ip="10.0.1.99").status_code == 429
    locked = attempt(client, referrer.email, password, ip="10.0.2.1")
    assert locked.status_code == 429
    assert b"Too many attempts to sign in" in locked.content
    assert "_auth_user_id" not in client.session


def test_an_address_is_locked_after_failures_across_accounts(client, make_user, password,
                                                             settings):
    victim = make_user("victim@example.org")
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"guess{n}@example.org", "wrong", ip="10.9.9.9")
    assert attempt(client, victim.email, password, ip="10.9.9.9").status_code == 429
    # The same person from elsewhere is not locked out.
    assert attempt(client, victim.email, password, ip="10.1.1.1").status_code == 302


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


def test_forwarded_for_headers_do_not_dodge_the_address_lockout(client, make_user, password,
                                                                settings):
    victim = make_user("victim@example.org")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(SIGN_IN, {"username": f"g{n}@example.org", "password": "x"},
                    REMOTE_ADDR="10.7.7.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = client.post(SIGN_IN, {"username": victim.email, "password": password},
                           REMOTE_ADDR="10.7.7.7", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429
