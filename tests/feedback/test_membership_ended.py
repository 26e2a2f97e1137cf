"""A member whose membership was refused or removed follows nothing: not "things have got
worse", not "I disagree", not the status page (defect: may_follow did not look at the
membership, so a member who had left could still act on their organisation's referrals)."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Membership, MembershipStatus, User
from challenges.services import challenge_raise
from feedback.worse import referral_worsen
from referrals import access
from referrals.access import OutOfScope
from referrals.models import ReferralEvent
from tests.factories.accounts import LeadFactory, OrganisationFactory, ReferrerFactory, staff
from tests.factories.referrals import referral_with

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def _end(user, how):
    if how == "refused":  # a council administrator changes it in the admin
        Membership.objects.filter(user=user).update(status=MembershipStatus.REFUSED)
    else:
        Membership.objects.filter(user=user).delete()
    return User.objects.get(pk=user.pk)


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Camberwell Day Centre", sector="voluntary")


@pytest.mark.parametrize("how", ["refused", "removed"])
@pytest.mark.parametrize("who", ["referrer", "lead"])
def test_a_member_who_left_cannot_say_things_got_worse_or_disagree(organisation, how, who):
    staff("oppd")
    referrer = ReferrerFactory(organisation=organisation)
    person = referrer if who == "referrer" else LeadFactory(organisation=organisation)
    open_one = referral_with(referrer, received_at=MONDAY)
    decided = referral_with(referrer, status="concern_decided", received_at=MONDAY)
    person = _end(person, how)
    assert not access.may_follow(person, open_one)
    with pytest.raises(OutOfScope):
        referral_worsen(referral=open_one, actor=person, what_changed="Worse.",
                        now=MONDAY + timedelta(hours=1))
    with pytest.raises(OutOfScope):
        challenge_raise(referral=decided, actor=person, reason="I disagree.",
                        now=MONDAY + timedelta(hours=1))
    assert not ReferralEvent.objects.filter(kind__in=["worsened", "challenge_raised"]).exists()


@pytest.mark.parametrize("how", ["refused", "removed"])
def test_their_pages_read_as_not_found(client, organisation, how):
    staff("oppd")
    referrer = ReferrerFactory(organisation=organisation)
    open_one = referral_with(referrer, received_at=MONDAY)
    decided = referral_with(referrer, status="concern_decided", received_at=MONDAY)
    client.force_login(referrer)
    assert client.get(f"/feedback/referrals/{open_one.pk}/").status_code == 200
    _end(referrer, how)
    # The change ends their session (portal.security); they sign in again afterwards.
    assert client.get(f"/feedback/referrals/{open_one.pk}/").status_code == 302
    client.force_login(referrer)
    for url in (f"/feedback/referrals/{open_one.pk}/",
                f"/feedback/referrals/{open_one.pk}/worse/",
                f"/challenges/referrals/{decided.pk}/disagree/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/feedback/referrals/{open_one.pk}/worse/",
                       {"what_changed": "Worse."}).status_code == 404
    assert client.post(f"/challenges/referrals/{decided.pk}/disagree/",
                       {"reason": "No."}).status_code == 404
    assert open_one.reference not in client.get("/feedback/referrals/").content.decode()
    assert not ReferralEvent.objects.filter(kind__in=["worsened", "challenge_raised"]).exists()


def test_a_member_who_moved_to_another_organisation_loses_the_old_ones(organisation):
    staff("oppd")
    referrer = ReferrerFactory(organisation=organisation)
    referral = referral_with(referrer, received_at=MONDAY)
    Membership.objects.filter(user=referrer).update(
        organisation=OrganisationFactory(name="New place", sector="health"))
    assert not access.may_follow(User.objects.get(pk=referrer.pk), referral)
