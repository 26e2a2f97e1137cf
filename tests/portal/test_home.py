"""A home page per role after sign-in; pages later issues fill say so plainly, never 500."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, MembershipRole, MembershipStatus
from ops.models import Heartbeat

pytestmark = pytest.mark.django_db


def _home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_referrer_home_offers_a_referral_and_their_referrals(client, referrer):
    page = _home(client, referrer)
    assert "Referrer, Camberwell Day Centre" in page
    assert "Make a referral" in page
    assert "Your referrals" in page
    assert "call 999" in page


def test_organisation_lead_home_offers_the_organisations_referrals(client, make_user,
                                                                    organisation):
    lead = make_user("lead@daycentre.example.org", "Lee Lead")
    Membership.objects.create(user=lead, organisation=organisation,
                              role=MembershipRole.SAFEGUARDING_LEAD,
                              status=MembershipStatus.APPROVED)
    page = _home(client, lead)
    assert "Safeguarding lead, Camberwell Day Centre" in page
    assert "Your organisation's referrals" in page


@pytest.mark.parametrize(("role", "caption"), [("triage", "Triage worker"),
                                               ("manager", "Team manager")])
def test_staff_home_offers_their_teams_queue(client, staff_member, role, caption):
    page = _home(client, staff_member("mash", role=role))
    assert f"{caption}, Multi-Agency Safeguarding Hub (MASH)" in page
    assert "Your team's queue" in page
    assert ("Managing the team" in page) is (role == "manager")


def test_admin_home_counts_people_waiting_and_shows_the_worker(client, council_admin,
                                                               make_user, organisation):
    for n in range(2):
        Membership.objects.create(user=make_user(f"p{n}@elsewhere.example.com"),
                                  organisation=organisation)
    Heartbeat.objects.create(worker="celery@demo", beat_at=timezone.now() - timedelta(seconds=5))

    page = _home(client, council_admin)

    assert 'data-count="awaiting">2<' in page
    assert reverse("accounts:approvals") in page
    assert reverse("admin:index") in page
    assert "Running" in page and "celery@demo" in page


def test_admin_home_says_when_the_worker_has_stopped(client, council_admin):
    Heartbeat.objects.create(worker="celery@demo", beat_at=timezone.now() - timedelta(hours=1))
    assert "Not running" in _home(client, council_admin)
    Heartbeat.objects.all().delete()
    assert "No heartbeat yet" in _home(client, council_admin)


def test_pending_person_is_told_they_are_waiting(client, make_user, organisation):
    person = make_user("new@elsewhere.example.com", "New Person")
    Membership.objects.create(user=person, organisation=organisation)
    page = _home(client, person)
    assert "Your request is waiting for approval" in page
    assert "Make a referral" not in page


def test_home_needs_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


def test_home_queries_are_bounded(client, council_admin, django_assert_max_num_queries):
    client.force_login(council_admin)
    # Fixed work: session, user, the security middleware's checks, counts, heartbeat.
    with django_assert_max_num_queries(16):
        client.get(reverse("home"))
