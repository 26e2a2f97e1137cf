"""Sessions: idle timeout with a warning, absolute limit, role change and disabling end them."""

import re
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import MembershipRole, TeamMembership
from audit.models import AuditEvent
from mfa.services import SESSION_ROLE_KEY, SESSION_SEEN_KEY, SESSION_STARTED_KEY
from portal.security import SEEN_WRITE_SECONDS, seen_needs_write, session_verdict
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


def test_idle_timeout_is_exact_to_within_the_minute_the_last_seen_write_skips():
    """Activity is stored at most once a minute, so the session ends between 29 and 30
    minutes after the last request: never later than the 30 minutes promised."""
    start, idle = 1_000_000.0, 30 * 60
    stored = start
    for request_at in (start + 20, start + SEEN_WRITE_SECONDS - 1):  # inside the minute
        assert not seen_needs_write(last_seen_at=stored, now=request_at)
    last_activity = start + SEEN_WRITE_SECONDS - 1

    def ends(at):
        return session_verdict(started_at=start, last_seen_at=stored, now=at, idle_seconds=idle,
                               absolute_seconds=10 * HOUR, stored_fingerprint="a",
                               fingerprint="a").ends

    assert not ends(stored + idle)
    assert ends(stored + idle + 1)
    assert idle - SEEN_WRITE_SECONDS < (stored + idle + 1) - last_activity <= idle
    assert seen_needs_write(last_seen_at=stored, now=start + SEEN_WRITE_SECONDS)
    assert seen_needs_write(last_seen_at=None, now=start)


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
        action="session.ended", actor=referrer, detail__reason="idle"
    ).exists()


def test_activity_keeps_the_session_and_keep_alive_counts(client, referrer):
    otp_login(client, referrer)
    client.get(reverse("home"))
    _age_session(client, **{SESSION_SEEN_KEY: 25 * 60})
    assert client.post(reverse("mfa:keep-alive"), headers={"X-Requested-With": "fetch"}).status_code == 204
    assert time.time() - client.session[SESSION_SEEN_KEY] < 5
    assert client.get(reverse("home")).status_code == 200


def test_a_page_inside_the_minute_does_not_write_the_session(client, referrer):
    otp_login(client, referrer)
    client.get(reverse("home"))
    _age_session(client, **{SESSION_SEEN_KEY: 30})
    stored = client.session[SESSION_SEEN_KEY]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    assert client.session[SESSION_SEEN_KEY] == stored
    assert not [q for q in captured if q["sql"].startswith('UPDATE "django_session"')]
    _age_session(client, **{SESSION_SEEN_KEY: 61})
    client.get(reverse("home"))
    assert time.time() - client.session[SESSION_SEEN_KEY] < 5


def test_stay_signed_in_always_records_the_activity(client, referrer):
    """Its script restarts the countdown at the click, so the server must count from then."""
    otp_login(client, referrer)
    client.get(reverse("home"))
    _age_session(client, **{SESSION_SEEN_KEY: 20})
    assert client.post(reverse("mfa:keep-alive"), headers={"X-Requested-With": "fetch"}).status_code == 204
    assert time.time() - client.session[SESSION_SEEN_KEY] < 5


def test_the_countdown_starts_from_the_stored_last_seen_time(client, referrer, settings):
    otp_login(client, referrer)
    client.get(reverse("home"))
    _age_session(client, **{SESSION_SEEN_KEY: 40})  # not rewritten by the next page
    page = client.get(reverse("home")).content.decode()
    left = int(re.search(r'data-idle-seconds="(\d+)"', page).group(1))
    assert settings.SESSION_IDLE_SECONDS - 45 <= left <= settings.SESSION_IDLE_SECONDS - 40


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
    # A closed modal dialog (the GOV.UK timeout warning): nothing shows until its script opens
    # it shortly before the timeout, so a page without JavaScript opens with its heading.
    assert '<dialog class="portal-timeout-dialog" id="session-timeout"' in page
    assert 'data-warning-seconds="300"' in page
    assert 'action="/account/security/keep-alive/"' in page
    assert 'src="/static/security/session-timeout.js"' in page


@pytest.mark.parametrize("password", ["qwerty123456", "1q2w3e4r5t6y", "123456654321"])
def test_common_passwords_are_refused(password):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert "too common" in str(error.value)


def test_a_long_uncommon_passphrase_is_accepted():
    validate_password("purple-kettle-on-the-bus-9")
