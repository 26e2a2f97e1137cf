"""Sign in, sign out and password reset through Django's views with our forms and templates."""

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_sign_in_then_out(client, referrer, password):
    response = client.post(reverse("accounts:sign-in"),
                           {"username": referrer.email.upper(), "password": password})
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(referrer.pk)

    response = client.post(reverse("accounts:sign-out"))

    assert response.url == reverse("accounts:signed-out")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "", "password": "x"}, "Enter your email address"),
        ({"username": "volunteer@daycentre.example.org", "password": ""}, "Enter your password"),
        ({"username": "volunteer@daycentre.example.org", "password": "wrong-password"},
         "Enter a correct email address and password"),
        ({"username": "not-an-email", "password": "x"}, "Enter an email address in the correct"),
    ],
)
def test_sign_in_errors_are_specific_and_keep_the_address(client, referrer, data, message):
    response = client.post(reverse("accounts:sign-in"), data)

    page = response.content.decode()
    assert message in page
    assert "There is a problem" in page
    if data["username"]:
        assert f'value="{data["username"]}"' in page


def test_password_reset_journey(client, referrer, link_in):
    response = client.post(reverse("accounts:password-reset"), {"email": referrer.email})
    assert response.url == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 1
    path = link_in(mail.outbox[0], "/account/password-reset/")

    response = client.get(path)  # Django swaps the token for a session and redirects
    assert response.status_code == 302
    form_url = response.url
    page = client.get(form_url).content.decode()
    assert "Choose a new password" in page

    response = client.post(form_url, {"new_password1": "new", "new_password2": "other"})
    page = response.content.decode()
    assert "The passwords do not match" in page

    response = client.post(form_url, {"new_password1": "", "new_password2": ""})
    assert "Enter a new password" in response.content.decode()

    new = "quiet-meadow-copper-77"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.url == reverse("accounts:password-reset-complete")
    referrer.refresh_from_db()
    assert referrer.check_password(new)
    assert AuditEvent.objects.filter(action="account.password_reset", actor=referrer).exists()
    # The link works once.
    assert "The link does not work" in client.get(path, follow=True).content.decode()


def test_password_reset_for_an_unknown_address_looks_the_same(client):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response.url == reverse("accounts:password-reset-done")
    assert not mail.outbox


def test_password_reset_asks_for_a_proper_address(client):
    response = client.post(reverse("accounts:password-reset"), {"email": ""})
    assert "Enter your email address" in response.content.decode()
