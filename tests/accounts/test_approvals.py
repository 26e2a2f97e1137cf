"""Council administrators approve or refuse requests in the portal; the person is told."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Membership, MembershipRole, MembershipStatus, User
from accounts.roles import role_of
from audit.models import AuditEvent
from core.vocabulary import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(make_user, organisation):
    user = make_user("sam@elsewhere.example.com", "Sam Waiting", job_title="Volunteer")
    return Membership.objects.create(user=user, organisation=organisation)


def test_the_list_shows_confirmed_requests_and_counts_unconfirmed_ones(
    client, council_admin, waiting, make_user, organisation
):
    unconfirmed = make_user("later@elsewhere.example.com", "Not Yet")
    User.objects.filter(pk=unconfirmed.pk).update(email_verified=False)
    Membership.objects.create(user=unconfirmed, organisation=organisation)
    client.force_login(council_admin)

    page = client.get(reverse("accounts:approvals")).content.decode()

    assert "Sam Waiting" in page
    assert "Not Yet" not in page
    assert "1 person has signed up but not yet confirmed" in page


def test_approving_makes_a_referrer_and_emails_them(client, council_admin, waiting):
    client.force_login(council_admin)
    url = reverse("accounts:approval", args=[waiting.pk])

    response = client.post(url, {"decision": "approve-referrer"})

    assert response.url == reverse("accounts:approvals")
    waiting.refresh_from_db()
    assert waiting.status == MembershipStatus.APPROVED
    assert waiting.decided_by == council_admin
    assert role_of(waiting.user).role == Role.REFERRER
    assert AuditEvent.objects.filter(action="membership.approved", actor=council_admin).exists()
    assert mail.outbox[-1].to == [waiting.user.email]
    assert "You can now make safeguarding referrals" in mail.outbox[-1].subject
    assert "Sam Waiting can now make referrals" in client.get(response.url).content.decode()


def test_approving_as_safeguarding_lead(client, council_admin, waiting):
    client.force_login(council_admin)
    client.post(reverse("accounts:approval", args=[waiting.pk]), {"decision": "approve-lead"})

    waiting.refresh_from_db()
    assert waiting.role == MembershipRole.SAFEGUARDING_LEAD
    assert role_of(waiting.user).role == Role.ORGANISATION_LEAD
    assert "safeguarding lead" in mail.outbox[-1].body


def test_refusing_needs_a_reason_and_keeps_the_choice(client, council_admin, waiting):
    client.force_login(council_admin)

    response = client.post(reverse("accounts:approval", args=[waiting.pk]),
                           {"decision": "refuse", "reason": "  "})

    page = response.content.decode()
    assert "Enter the reason for refusing" in page
    assert 'value="refuse" checked' in page or 'value="refuse"\n' in page and "checked" in page
    waiting.refresh_from_db()
    assert waiting.status == MembershipStatus.PENDING
    assert not mail.outbox


def test_refusing_tells_the_person_the_reason(client, council_admin, waiting):
    client.force_login(council_admin)

    client.post(reverse("accounts:approval", args=[waiting.pk]),
                {"decision": "refuse", "reason": "We could not confirm you volunteer there."})

    waiting.refresh_from_db()
    assert waiting.status == MembershipStatus.REFUSED
    assert mail.outbox[-1].to == [waiting.user.email]
    assert "We could not confirm you volunteer there." in mail.outbox[-1].body
    event = AuditEvent.objects.get(action="membership.refused")
    assert "could not confirm" not in str(event.detail)
    client.force_login(waiting.user)
    assert "Your request was refused" in client.get(reverse("home")).content.decode()


def test_no_decision_gets_a_specific_error(client, council_admin, waiting):
    client.force_login(council_admin)
    response = client.post(reverse("accounts:approval", args=[waiting.pk]), {})
    assert "Select whether to approve or refuse this request" in response.content.decode()


def test_a_decided_request_cannot_be_decided_again(client, council_admin, waiting):
    services.membership_approve(membership=waiting, actor=council_admin, now=timezone.now())
    client.force_login(council_admin)

    response = client.post(reverse("accounts:approval", args=[waiting.pk]),
                           {"decision": "refuse", "reason": "Changed my mind"})

    assert "already been approved" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == MembershipStatus.APPROVED


def test_an_unconfirmed_address_cannot_be_approved(council_admin, waiting):
    waiting.user.email_verified = False
    waiting.user.save()
    with pytest.raises(services.ApprovalError, match="not confirmed"):
        services.membership_approve(membership=waiting, actor=council_admin, now=timezone.now())


@pytest.mark.parametrize("who", ["referrer", "staff"])
def test_only_council_administrators_decide(client, waiting, referrer, staff_member, who):
    person = referrer if who == "referrer" else staff_member("oppd", role="manager")
    client.force_login(person)

    assert client.get(reverse("accounts:approvals")).status_code == 403
    response = client.post(reverse("accounts:approval", args=[waiting.pk]),
                           {"decision": "approve-referrer"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.membership_approve(membership=waiting, actor=person, now=timezone.now())
    waiting.refresh_from_db()
    assert waiting.status == MembershipStatus.PENDING


def test_anonymous_people_are_sent_to_sign_in(client, waiting):
    response = client.get(reverse("accounts:approvals"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))
