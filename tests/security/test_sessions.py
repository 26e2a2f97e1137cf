"""Sessions: idle timeout with a warning, absolute limit, role change and disabling end them."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import MembershipRole, TeamMembership
from audit.models import AuditEvent
from mfa.services import SESSION_ROLE_KEY, SESSION_SEEN_KEY, SESSION_STARTED_KEY
from portal.security import session_verdict
from tests.conftest import otp_login

pytestmark = pytest.mark.usefixtures("mfa_enforced")

HOUR = 3600


@pytest.mark.parametrize(
    "started, seen, stored, current, ends, reason",
    [
        (0, 0, "a", "a", False, ""),
        (-HOUR, -29 * 60, "a", "a", False, ""),
        (-HOUR, -31 * 60, "a", "a", True, "idle"),
        (-11 * HOUR, -60, "a", "a", True, "absolute"),
        (-9 * HOUR, -60, "a", "a", False, ""),
        (-60, -60, "a", "b", True, "role_changed"),
        (None, None, None, "a", False, ""),
    ],
)
def test_session_verdict_table(started, seen, stored, current, ends, reason):
    now = 1_000_000.0
    verdict = session_verdict(
        started_at=None if started is None else now + started,
        last_seen_at=None if seen is None else now + seen,
        now=now, idle_seconds=30 * 60, absolute_seconds=10 * HOUR,
        stored_fingerprint=stored, fingerprint=current,
    )
    assert (verdict.ends, verdict.reason) == (ends, reason)


def _age_session(client, **moves):
    session = client.session
    for key, seconds in moves.items():
        session[key] = time.time() - seconds
    session.save()


def test_idle_for_more_than_30_minutes_signs_out_with_a_reason(client, referrer):
    otp_login(client, referrer)
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, **{SESSION_SEEN_KEY: 31 * 60})
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))
    page = client.get(response.url)
    assert b"had not done anything for 30 minutes" in page.content
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(
        action="session_ended", actor=referrer, detail__reason="idle"
    ).exists()


def test_activity_keeps_the_session_and_keep_alive_counts(client, referrer):
    otp_login(client, referrer)
    client.get(reverse("home"))
    _age_session(client, **{SESSION_SEEN_KEY: 25 * 60})
    assert client.get(reverse("mfa:keep-alive")).status_code == 204
    assert time.time() - client.session[SESSION_SEEN_KEY] < 5
    assert client.get(reverse("home")).status_code == 200


def test_absolute_limit_ends_even_an_active_session(client, referrer, settings):
    otp_login(client, referrer)
    client.get(reverse("home"))
    _age_session(client, **{SESSION_STARTED_KEY: settings.SESSION_ABSOLUTE_SECONDS + 60})
    assert client.get(reverse("home")).url.startswith(reverse("accounts:sign-in"))


def test_role_change_ends_the_session(client, staff_member):
    worker = staff_member("oppd")
    otp_login(client, worker)
    assert client.get(reverse("home")).status_code == 200
    assert client.session[SESSION_ROLE_KEY]
    TeamMembership.objects.filter(user=worker).update(role="manager")
    assert client.get(reverse("home")).url.startswith(reverse("accounts:sign-in"))


def test_organisation_role_change_ends_the_session(client, referrer):
    otp_login(client, referrer)
    client.get(reverse("home"))
    referrer.membership.role = MembershipRole.SAFEGUARDING_LEAD
    referrer.membership.save()
    assert client.get(reverse("home")).url.startswith(reverse("accounts:sign-in"))


def test_disabling_a_person_ends_their_session(client, referrer):
    otp_login(client, referrer)
    assert client.get(reverse("home")).status_code == 200
    referrer.is_active = False
    referrer.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:sign-in"))


def test_signed_in_pages_carry_the_idle_warning(client, referrer):
    otp_login(client, referrer)
    page = client.get(reverse("home")).content.decode()
    assert 'id="session-timeout"' in page
    assert "signed out after 30 minutes" in page
    assert 'src="/static/security/session-timeout.js"' in page


@pytest.mark.parametrize("password", ["qwerty123456", "1q2w3e4r5t6y", "123456654321"])
def test_common_passwords_are_refused(password):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert "too common" in str(error.value)


def test_a_long_uncommon_passphrase_is_accepted():
    validate_password("purple-kettle-on-the-bus-9")
