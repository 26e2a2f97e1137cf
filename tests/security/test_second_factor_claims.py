"""Two claims in docs/security.md that the MFA tests used only in passing: a wrong code
throttles the next try, and the session key changes once the second factor is verified."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.mfa_helpers import emailed_code
from tests.security.test_mfa import password_sign_in, time_passes_for_throttle

pytestmark = pytest.mark.usefixtures("mfa_enforced")


def test_a_wrong_code_throttles_even_the_right_one(client, referrer, password):
    password_sign_in(client, referrer, password)
    client.get(reverse("mfa:verify"))
    code = emailed_code(referrer.email)
    client.post(reverse("mfa:verify"), {"code": "000000"})
    # At once after a failure, even the right code is refused (django-otp's delay)...
    client.post(reverse("mfa:verify"), {"code": code})
    assert client.get(reverse("home")).status_code == 302
    # ...and accepted once the delay has passed.
    time_passes_for_throttle(referrer)
    client.post(reverse("mfa:verify"), {"code": code})
    assert client.get(reverse("home")).status_code == 200


def test_the_session_key_changes_after_the_second_factor(client, referrer, password):
    password_sign_in(client, referrer, password)
    client.get(reverse("mfa:verify"))
    signed_in_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("mfa:verify"), {"code": emailed_code(referrer.email)})
    verified_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert verified_key != signed_in_key
    assert client.get(reverse("home")).status_code == 200
