"""Email verification: the link confirms the address; a verified organisation's domain joins
at once, anyone else waits for a council administrator."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import MembershipStatus, Organisation, Sector, User
from accounts.tokens import verification_token_make
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _sign_up(client, data):
    client.post(reverse("accounts:sign-up"), data)
    return User.objects.get(email=data["email"].lower())


def test_own_domain_of_a_verified_organisation_is_approved_on_verification(
    client, sign_up_data, link_in
):
    user = _sign_up(client, sign_up_data)
    path = link_in(mail.outbox[0], "/account/verify/")

    response = client.get(path)

    assert response.status_code == 200
    assert "Email address confirmed" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified
    assert user.membership.status == MembershipStatus.APPROVED
    assert user.membership.decided_by is None
    assert AuditEvent.objects.filter(action="membership.approved_by_domain").count() == 1
    assert "You can now make safeguarding referrals" in mail.outbox[-1].subject


def test_another_domain_waits_for_an_administrator_who_is_told_how_many_wait(
    client, sign_up_data, link_in, council_admin
):
    user = _sign_up(client, {**sign_up_data, "email": "sam@gmail.example.com"})
    client.get(link_in(mail.outbox[0], "/account/verify/"))

    user.refresh_from_db()
    assert user.email_verified
    assert user.membership.status == MembershipStatus.PENDING
    notice = mail.outbox[-1]
    assert notice.to == [council_admin.email]
    assert "1 person is waiting" in notice.body
    # The administrators' email names nobody.
    assert "Sam" not in notice.body and "gmail" not in notice.body


def test_an_unverified_organisation_never_joins_automatically(client, sign_up_data, link_in):
    Organisation.objects.create(name="Open Door", sector=Sector.OTHER, verified=False,
                                email_domains=["opendoor.example.org"])
    org = Organisation.objects.get(name="Open Door")
    # Not listed until verified (issue 14, attack 4): the person types its name.
    user = _sign_up(client, {**sign_up_data, "organisation": "not-listed",
                             "new_organisation_name": "open door",
                             "new_organisation_sector": Sector.OTHER,
                             "email": "sam@opendoor.example.org"})
    assert user.membership.organisation == org
    client.get(link_in(mail.outbox[0], "/account/verify/"))

    user.refresh_from_db()
    assert user.email_verified
    assert user.membership.status == MembershipStatus.PENDING


def test_following_the_link_twice_is_harmless(client, sign_up_data, link_in):
    _sign_up(client, sign_up_data)
    path = link_in(mail.outbox[0], "/account/verify/")
    client.get(path)
    sent = len(mail.outbox)

    response = client.get(path)

    assert response.status_code == 200
    assert len(mail.outbox) == sent
    assert AuditEvent.objects.filter(action="account.email_verified").count() == 1


def test_an_altered_link_is_refused(client, sign_up_data, link_in):
    user = _sign_up(client, sign_up_data)
    path = link_in(mail.outbox[0], "/account/verify/")

    response = client.get(path[:-6] + "xxxxx/")

    assert response.status_code == 400
    assert "The link does not work" in response.content.decode()
    user.refresh_from_db()
    assert not user.email_verified


def test_an_old_link_has_expired(sign_up_data, make_user):
    user = make_user("late@daycentre.example.org")
    User.objects.filter(pk=user.pk).update(email_verified=False)
    now = timezone.now()
    token = verification_token_make(user=user, now=now - timedelta(days=3, seconds=1))

    with pytest.raises(services.VerificationFailed) as failure:
        services.email_verify(token=token, now=now)

    assert failure.value.expired
    user.refresh_from_db()
    assert not user.email_verified


def test_a_link_for_an_old_address_stops_working(make_user):
    user = make_user("old@daycentre.example.org")
    User.objects.filter(pk=user.pk).update(email_verified=False)
    now = timezone.now()
    token = verification_token_make(user=user, now=now)
    user.email = "new@daycentre.example.org"
    user.save()

    with pytest.raises(services.VerificationFailed) as failure:
        services.email_verify(token=token, now=now)
    assert not failure.value.expired


def test_an_unconfirmed_person_cannot_sign_in_and_is_told_why(client, sign_up_data):
    _sign_up(client, sign_up_data)

    response = client.post(reverse("accounts:sign-in"),
                           {"username": sign_up_data["email"],
                            "password": sign_up_data["password1"]})

    assert response.status_code == 200
    assert "Confirm your email address before you sign in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_resend_sends_a_new_link_only_to_unconfirmed_accounts(client, sign_up_data, referrer,
                                                              link_in):
    _sign_up(client, sign_up_data)
    mail.outbox.clear()
    url = reverse("accounts:verify-resend")

    for email in (sign_up_data["email"], referrer.email, "nobody@example.org"):
        response = client.post(url, {"email": email})
        assert response.url == reverse("accounts:sign-up-done")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@daycentre.example.org"]
    assert client.get(link_in(mail.outbox[0], "/account/verify/")).status_code == 200


def test_resend_asks_for_a_proper_address(client):
    response = client.post(reverse("accounts:verify-resend"), {"email": "nope"})
    assert "Enter an email address in the correct format" in response.content.decode()
