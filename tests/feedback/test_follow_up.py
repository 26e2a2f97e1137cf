"""Issue 15, a named contact: the assigned worker on the status page (or the team only), and
the organisation's lead handing a referral's follow-up to a colleague, who then sees it and is
told what happens next. Everything built through the services."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Membership, MembershipStatus, Team, TeamRole, User
from audit.models import AuditEvent
from feedback.followup import referral_follow_up_pass
from feedback.updates import referral_information_add
from outbox.models import Channel, Notice
from referrals import access
from referrals.access import OutOfScope
from referrals.models import Referral, ReferralEvent
from tests.factories import triage
from tests.factories.accounts import LeadFactory, OrganisationFactory, ReferrerFactory, staff
from tests.factories.referrals import ReferralFactory, referral_with

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Camberwell Day Centre", sector="voluntary")


@pytest.fixture
def referrer(organisation):
    return ReferrerFactory(organisation=organisation, full_name="Dana Volunteer")


@pytest.fixture
def colleague(organisation):
    return ReferrerFactory(organisation=organisation, full_name="Chris Colleague")


@pytest.fixture
def lead(organisation):
    return LeadFactory(organisation=organisation, full_name="Lee Lead")


@pytest.fixture
def worker():
    person = staff("oppd", TeamRole.TRIAGE, full_name="Wendy Worker")
    person.phone = "020 7525 0001"  # a staff member's direct line, set in the admin
    person.save(update_fields=["phone"])
    return person


def fresh(user):
    """The person as the next request loads them (their membership read again)."""
    return User.objects.get(pk=user.pk)


def refuse(user):
    """A council administrator changes the membership to refused in the admin."""
    Membership.objects.filter(user=user).update(status=MembershipStatus.REFUSED)


# ---- a named contact --------------------------------------------------------------------------

def test_the_status_page_names_the_assigned_worker_and_their_direct_contact(
        client, referrer, worker):
    referral = referral_with(referrer, received_at=MONDAY)
    client.force_login(referrer)
    page = client.get(f"/feedback/referrals/{referral.pk}/").content.decode()
    assert "Wendy Worker" not in page and 'id="named-contact"' not in page
    triage.assign(referral, worker, now=MONDAY)
    page = client.get(f"/feedback/referrals/{referral.pk}/").content.decode()
    assert 'id="named-contact"' in page and "Wendy Worker" in page
    assert "020 7525 0001" in page and f"mailto:{worker.email}" in page
    # The team's own contact stays, for when the worker is away.
    assert "If they are not available, contact the team" in page


def test_a_team_that_shows_its_own_contact_only_hides_the_worker(client, referrer, worker):
    referral = referral_with(referrer, received_at=MONDAY)
    triage.assign(referral, worker, now=MONDAY)
    Team.objects.filter(pathway="oppd").update(show_team_contact_only=True)  # the admin's switch
    client.force_login(referrer)
    page = client.get(f"/feedback/referrals/{referral.pk}/").content.decode()
    assert "Wendy Worker" not in page and "020 7525 0001" not in page
    assert Team.objects.get(pathway="oppd").name in page


def test_consent_refused_shows_the_team_only(client, referrer, worker):
    referral = ReferralFactory(referrer=referrer, consent="no", pathway="oppd", now=MONDAY)
    triage.assign(referral, worker, now=MONDAY)
    client.force_login(referrer)
    page = client.get(f"/feedback/referrals/{referral.pk}/").content.decode()
    assert "Wendy Worker" not in page and "020 7525 0001" not in page


def test_a_finished_referral_shows_the_team_only(client, referrer, worker):
    referral = referral_with(referrer, received_at=MONDAY)
    triage.assign(referral, worker, now=MONDAY)
    triage.close(referral, now=MONDAY + timedelta(hours=1))
    client.force_login(referrer)
    assert "Wendy Worker" not in client.get(f"/feedback/referrals/{referral.pk}/").content.decode()


# ---- handing the follow-up to a colleague -----------------------------------------------------

def test_the_lead_hands_the_follow_up_to_a_colleague_who_sees_it_and_is_told(
        client, referrer, colleague, lead):
    referral = referral_with(referrer, received_at=MONDAY)
    assert not access.may_follow(fresh(colleague), referral)
    client.force_login(lead)
    status = client.get(f"/feedback/referrals/{referral.pk}/").content.decode()
    assert f"/feedback/referrals/{referral.pk}/follow-up/" in status
    page = client.get(f"/feedback/referrals/{referral.pk}/follow-up/").content.decode()
    assert "Chris Colleague" in page and "Lee Lead" in page  # the lead is a colleague too
    response = client.post(f"/feedback/referrals/{referral.pk}/follow-up/",
                           {"colleague": str(colleague.pk)})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.follower == colleague
    event = ReferralEvent.objects.get(referral=referral, kind="follow_up_passed")
    assert event.visible_to_referrer and event.actor == lead
    audit = AuditEvent.objects.get(action="referral.follow_up_passed", referral_id=referral.pk)
    assert audit.detail["to_user"] == colleague.pk and audit.detail["from_user"] == referrer.pk
    assert AuditEvent.objects.filter(action="referral.follow_up_viewed",
                                     referral_id=referral.pk).exists()
    # The colleague follows it now: status page, their list, its notices.
    assert access.may_follow(fresh(colleague), referral)
    assert referral in access.referrals_of_referrer(fresh(colleague))
    assert {n.channel for n in Notice.objects.filter(recipient=colleague, kind="follow_up")} == {
        Channel.PORTAL, Channel.EMAIL}
    client.force_login(colleague)
    assert client.get(f"/feedback/referrals/{referral.pk}/").status_code == 200
    # What the referrer would be told goes to the colleague.
    triage.info_request(referral, now=MONDAY + timedelta(hours=1))
    assert Notice.objects.filter(kind="info_requested", recipient=colleague).count() == 2
    assert not Notice.objects.filter(kind="info_requested", recipient=referrer).exists()
    # The colleague answers; the information-received notice is theirs too.
    referral_information_add(referral=referral, actor=fresh(colleague), text="She is safe now.",
                             now=MONDAY + timedelta(hours=2))
    assert Notice.objects.filter(kind="info_received", recipient=colleague).count() == 2
    # The referrer still follows it while a member (the policy), but is not told.
    assert access.may_follow(fresh(referrer), referral)
    assert not Notice.objects.filter(kind="info_received", recipient=referrer).exists()


def test_handing_it_back_to_the_referrer_clears_the_colleague(referrer, colleague, lead):
    referral = referral_with(referrer, received_at=MONDAY)
    referral_follow_up_pass(referral=referral, actor=fresh(lead), colleague_id=colleague.pk,
                            now=MONDAY)
    referral_follow_up_pass(referral=referral, actor=fresh(lead), colleague_id=referrer.pk,
                            now=MONDAY + timedelta(minutes=1))
    referral.refresh_from_db()
    assert referral.follower is None
    assert not access.may_follow(fresh(colleague), referral)
    assert ReferralEvent.objects.filter(referral=referral, kind="follow_up_passed").count() == 2


def test_a_colleague_who_leaves_stops_following_and_the_referrer_is_told_again(
        referrer, colleague, lead):
    referral = referral_with(referrer, received_at=MONDAY)
    referral_follow_up_pass(referral=referral, actor=fresh(lead), colleague_id=colleague.pk,
                            now=MONDAY)
    refuse(colleague)
    referral.refresh_from_db()
    assert not access.may_follow(fresh(colleague), referral)
    triage.info_request(referral, now=MONDAY + timedelta(hours=1))
    assert Notice.objects.filter(kind="info_requested", recipient=referrer).count() == 2
    assert not Notice.objects.filter(kind="info_requested", recipient=colleague).exists()


def test_form_errors_are_clear_and_nothing_changes(client, referrer, colleague, lead):
    referral = referral_with(referrer, received_at=MONDAY)
    outsider = ReferrerFactory(organisation=OrganisationFactory(name="Elsewhere",
                                                                sector="health"))
    client.force_login(lead)
    url = f"/feedback/referrals/{referral.pk}/follow-up/"
    for data in ({}, {"colleague": str(outsider.pk)}, {"colleague": "x"},
                 {"colleague": str(referrer.pk)}):  # the referrer follows it already
        page = client.post(url, data)
        assert page.status_code == 200
        text = page.content.decode()
        assert "There is a problem" in text and "Error:" in text
        assert "Select the colleague who will follow up this referral" in text
        assert 'href="#id_colleague_0"' in text
    referral.refresh_from_db()
    assert referral.follower is None
    assert not ReferralEvent.objects.filter(referral=referral, kind="follow_up_passed").exists()


@pytest.mark.parametrize("who", ["referrer", "colleague", "other_lead", "worker"])
def test_only_the_organisations_lead_reaches_the_page(client, referrer, colleague, who):
    referral = referral_with(referrer, received_at=MONDAY)
    people = {
        "referrer": referrer, "colleague": colleague,
        "other_lead": LeadFactory(organisation=OrganisationFactory(name="Other", sector="health")),
        "worker": staff("oppd", TeamRole.MANAGER),
    }
    client.force_login(people[who])
    url = f"/feedback/referrals/{referral.pk}/follow-up/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"colleague": str(colleague.pk)}).status_code == 404
    referral.refresh_from_db()
    assert referral.follower is None
    assert AuditEvent.objects.filter(action="referral.follow_up_viewed", allowed=False,
                                     referral_id=referral.pk).count() == 2  # GET and POST
    if who != "worker":
        status = client.get(f"/feedback/referrals/{referral.pk}/")
        assert url not in status.content.decode()


ACTORS = ["lead", "referrer", "colleague", "refused", "other_lead", "worker"]
TARGETS = ["lead", "referrer", "colleague", "refused", "outsider", "inactive", "worker"]


@pytest.fixture
def cast(organisation, referrer, colleague, lead):
    refused = ReferrerFactory(organisation=organisation, full_name="Rae Refused")
    refuse(refused)
    inactive = ReferrerFactory(organisation=organisation, full_name="Ina Inactive")
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    other = OrganisationFactory(name="Other", sector="health")
    return {
        "lead": lead, "referrer": referrer, "colleague": colleague, "refused": refused,
        "inactive": inactive, "other_lead": LeadFactory(organisation=other),
        "outsider": ReferrerFactory(organisation=other), "worker": staff("oppd"),
        "referral": referral_with(referrer, received_at=MONDAY),
    }


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts=st.lists(st.tuples(st.sampled_from(ACTORS), st.sampled_from(TARGETS)),
                         min_size=1, max_size=5))
def test_property_only_the_lead_hands_on_and_only_to_an_active_member(cast, attempts):
    """Whatever sequence of attempts: a hand-over happens only when the organisation's lead
    names an active, approved member other than the one following now; every other attempt
    raises and changes nothing (follower, timeline, notices)."""
    referral = cast["referral"]
    members = {cast[name].pk for name in ("lead", "referrer", "colleague")}
    for actor_name, target_name in attempts:
        referral.refresh_from_db()
        following = referral.follower_id or referral.referrer_id
        target = cast[target_name]
        before = (referral.follower_id, ReferralEvent.objects.filter(referral=referral).count(),
                  Notice.objects.count())
        allowed = actor_name == "lead" and target.pk in members and target.pk != following
        if allowed:
            referral_follow_up_pass(referral=referral, actor=fresh(cast[actor_name]),
                                    colleague_id=target.pk, now=MONDAY)
            referral.refresh_from_db()
            assert (referral.follower_id or referral.referrer_id) == target.pk
        else:
            with pytest.raises(OutOfScope if actor_name != "lead" else ValidationError):
                referral_follow_up_pass(referral=referral, actor=fresh(cast[actor_name]),
                                        colleague_id=target.pk, now=MONDAY)
            referral.refresh_from_db()
            after = (referral.follower_id,
                     ReferralEvent.objects.filter(referral=referral).count(),
                     Notice.objects.count())
            assert after == before
        assert Referral.objects.get(pk=referral.pk).follower_id in (
            None, *(members - {referral.referrer_id}))
