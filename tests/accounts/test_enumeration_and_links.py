"""Issue 14, attacks 3, 4 and 7: the same work whether or not an address has an account;
emails through the worker with ids only, links from SITE_URL, nothing typed by a stranger
echoed in an email or listed publicly."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts import tasks
from accounts.forms import SignUpForm
from accounts.models import Membership, Organisation, Sector, User
from tests.accounts.hashers import CountingHasher

pytestmark = pytest.mark.django_db


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.hashers.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


def test_sign_up_hashes_the_password_whether_or_not_the_address_has_an_account(
    client, referrer, sign_up_data, counting_hasher
):
    client.post(reverse("accounts:sign-up"), {**sign_up_data, "email": referrer.email})
    existing = counting_hasher.calls
    counting_hasher.calls = 0
    client.post(reverse("accounts:sign-up"), {**sign_up_data, "email": "new@example.org"})
    new = counting_hasher.calls
    assert existing == new == 1
    # The new account got the hash that was made.
    assert User.objects.get(email="new@example.org").check_password(sign_up_data["password1"])


def test_password_reset_is_queued_as_a_task_with_ids_only(client, referrer, monkeypatch):
    """The request hands an id to the worker (eager here, through the same code path); the
    email is made by the task."""
    sent = []
    real_delay = tasks.account_email_send.delay

    def recording_delay(**kwargs):
        sent.append(kwargs)
        return real_delay(**kwargs)

    monkeypatch.setattr(tasks.account_email_send, "delay", recording_delay)
    client.post(reverse("accounts:password-reset"), {"email": referrer.email})
    assert sent == [{"user_id": referrer.pk, "kind": "password-reset"}]
    assert len(mail.outbox) == 1
    client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert len(sent) == 1 and len(mail.outbox) == 1


@pytest.mark.parametrize("forged_host", ["evil.example", "testserver:6666"])
def test_reset_links_come_from_site_url_not_the_host_header(
    client, referrer, settings, forged_host
):
    settings.ALLOWED_HOSTS = ["*"]  # the worst case: a proxy that passes any Host on
    settings.SITE_URL = "https://portal.example.gov.uk"
    client.post(reverse("accounts:password-reset"), {"email": referrer.email},
                HTTP_HOST=forged_host)
    body = mail.outbox[0].body
    assert "https://portal.example.gov.uk/account/password-reset/" in body
    assert forged_host not in body


def test_sign_up_links_come_from_site_url_not_the_host_header(client, sign_up_data, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://portal.example.gov.uk"
    client.post(reverse("accounts:sign-up"), sign_up_data, HTTP_HOST="evil.example")
    body = mail.outbox[0].body
    assert "https://portal.example.gov.uk/account/verify/" in body
    assert "evil.example" not in body


def test_sign_up_emails_do_not_echo_the_typed_name_or_organisation(client, sign_up_data):
    name = "Click https://evil.example now " + "x" * 150
    client.post(reverse("accounts:sign-up"), {
        **sign_up_data, "email": "victim@example.org", "full_name": name,
        "organisation": "not-listed", "new_organisation_name": '=cmd|"/c calc"!A1 <b>Evil</b>',
        "new_organisation_sector": Sector.OTHER,
    })
    body = mail.outbox[0].body
    assert body.startswith("Hello,")
    assert "evil.example" not in body and "calc" not in body


def test_an_organisation_typed_at_sign_up_is_not_listed_until_verified(client, sign_up_data):
    typed = '=cmd|"/c calc"!A1 <b>Evil</b>'
    data = {**sign_up_data, "organisation": "not-listed", "new_organisation_name": typed,
            "new_organisation_sector": Sector.OTHER}
    client.post(reverse("accounts:sign-up"), {**data, "email": "first@example.org"})
    organisation = Organisation.objects.get(name=typed)
    assert organisation.verified is False
    page = client.get(reverse("accounts:sign-up")).content.decode()
    assert "calc" not in page
    assert str(organisation.pk) not in dict(SignUpForm().fields["organisation"].choices)
    # The next person who types the same name joins the same (still unlisted) organisation.
    client.post(reverse("accounts:sign-up"), {**data, "email": "second@example.org"})
    assert Organisation.objects.filter(name=typed).count() == 1
    assert Membership.objects.filter(organisation=organisation).count() == 2
    # Once an administrator verifies it, it is listed.
    Organisation.objects.filter(pk=organisation.pk).update(verified=True)
    assert str(organisation.pk) in dict(SignUpForm().fields["organisation"].choices)
