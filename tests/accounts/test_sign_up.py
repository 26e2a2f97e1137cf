"""Sign-up: a referrer asks for an account; nothing typed is lost; nothing reveals who exists."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Membership, MembershipStatus, Organisation, User
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = reverse("accounts:sign-up")


def test_sign_up_creates_an_unconfirmed_referrer_and_emails_a_link(client, sign_up_data,
                                                                   organisation):
    response = client.post(URL, sign_up_data)

    assert response.status_code == 302
    assert response.url == reverse("accounts:sign-up-done")
    user = User.objects.get(email="sam@daycentre.example.org")
    assert user.full_name == "Sam Newcomer"
    assert not user.email_verified
    assert user.check_password("lantern-orchard-velvet-42")
    membership = user.membership
    assert membership.organisation == organisation
    assert membership.status == MembershipStatus.PENDING
    assert AuditEvent.objects.filter(action="account.signed_up", object_id=str(user.pk)).exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@daycentre.example.org"]
    assert "Confirm your email address" in message.subject
    assert "/account/verify/" in message.body


def test_verification_link_holds_no_personal_data(client, sign_up_data, link_in):
    client.post(URL, sign_up_data)
    path = link_in(mail.outbox[0], "/account/verify/")
    lowered = path.lower()
    for personal in ("sam", "newcomer", "daycentre", "volunteer", "%40", "@"):
        assert personal not in lowered


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "Enter your full name"),
        ("email", "", "Enter your email address"),
        ("email", "not-an-address", "Enter an email address in the correct format"),
        ("job_title", "", "Enter your job title or role"),
        ("phone", "call me", "Enter a telephone number, like 020 7946 0000"),
        ("organisation", "", "Select your organisation, or select"),
        ("organisation", "999999", "Select your organisation from the list"),
        ("password1", "", "Create a password"),
        ("password2", "", "Enter your password again to confirm it"),
        ("password2", "something-else-entirely", "The passwords do not match"),
        ("password1", "short", "This password is too short"),
    ],
)
def test_each_bad_input_gets_a_specific_error_and_keeps_what_was_typed(
    client, sign_up_data, field, value, message
):
    response = client.post(URL, {**sign_up_data, field: value})

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "There is a problem" in page
    assert response.context["form"].errors
    assert "Error:" in page.split("</title>")[0]
    # What the person typed is still in the form (passwords excepted, deliberately).
    kept = {"full_name": 'value="Sam  Newcomer"', "email": 'value="Sam@DayCentre.example.org"',
            "job_title": 'value="Volunteer"', "phone": 'value="020 7946 0000"',
            "organisation": "selected>Camberwell Day Centre"}
    for name, html in kept.items():
        if name != field:
            assert html in page, f"{name} was lost"
    assert not User.objects.exists()
    assert not mail.outbox


def test_a_new_organisation_needs_a_name_and_a_kind(client, sign_up_data):
    response = client.post(URL, {**sign_up_data, "organisation": "not-listed"})

    page = response.content.decode()
    assert "Enter the name of your organisation, or choose it from the list" in page
    assert "Select the kind of organisation" in page
    assert not User.objects.exists()


def test_a_new_organisation_that_is_already_listed_is_pointed_out(client, sign_up_data,
                                                                  organisation):
    response = client.post(URL, {**sign_up_data, "organisation": "not-listed",
                                 "new_organisation_name": "camberwell day centre",
                                 "new_organisation_sector": "voluntary"})

    assert "camberwell day centre is already in the list" in response.content.decode()


def test_sign_up_with_a_new_organisation_creates_it_unverified(client, sign_up_data):
    response = client.post(URL, {**sign_up_data, "organisation": "not-listed",
                                 "new_organisation_name": "Nunhead  Knitting Circle",
                                 "new_organisation_sector": "voluntary"})

    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Nunhead Knitting Circle")
    assert not organisation.verified
    assert Membership.objects.get(user__email="sam@daycentre.example.org").organisation == organisation


def test_an_existing_address_is_emailed_instead_and_the_page_is_the_same(
    client, sign_up_data, referrer
):
    response = client.post(URL, {**sign_up_data, "email": referrer.email.upper()})

    assert response.status_code == 302
    assert response.url == reverse("accounts:sign-up-done")
    assert User.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [referrer.email]
    assert "already have an account" in mail.outbox[0].subject
    assert "/account/verify/" not in mail.outbox[0].body


def test_signed_in_people_are_sent_home(client, referrer):
    client.force_login(referrer)
    assert client.get(URL).url == reverse("home")
