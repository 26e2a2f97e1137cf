""""Things have got worse": urgent at once, managers told, EDT emailed out of hours, and a
confirmation that says who was told and when the team will look."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Team, TeamRole
from audit.models import AuditEvent
from feedback.worse import referral_worsen, team_opens
from outbox.models import Notice
from pathways.policies import working_calendar
from referrals.access import OutOfScope
from referrals.models import ReferralEvent
from tests.factories.accounts import OrganisationFactory, ReferrerFactory, staff
from tests.factories.referrals import referral_with
from triage.selectors import QueueFilters, queue_page

pytestmark = pytest.mark.django_db
TUESDAY_NOON = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
SATURDAY_NIGHT = datetime(2026, 11, 7, 22, 0, tzinfo=UTC)
MONDAY_9AM = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)


@pytest.fixture
def referrer():
    return ReferrerFactory(organisation=OrganisationFactory(name="Camberwell Day Centre",
                                                            sector="voluntary"))


@pytest.fixture
def manager():
    return staff("oppd", TeamRole.MANAGER)


@pytest.mark.parametrize("now, opens", [
    (TUESDAY_NOON, None),
    (SATURDAY_NIGHT, MONDAY_9AM),
    (datetime(2026, 11, 3, 7, 30, tzinfo=UTC), datetime(2026, 11, 3, 9, 0, tzinfo=UTC)),
    (datetime(2026, 12, 24, 18, 0, tzinfo=UTC), datetime(2026, 12, 29, 9, 0, tzinfo=UTC)),
])
def test_when_the_team_next_opens(now, opens):
    assert team_opens(now, working_calendar()) == opens


def test_in_hours_it_goes_urgent_to_the_top_and_the_managers_are_told(referrer, manager):
    first = referral_with(referrer, received_at=TUESDAY_NOON)
    worse = referral_with(referrer, received_at=TUESDAY_NOON)
    result = referral_worsen(referral=worse, actor=referrer, what_changed="He hit her again.",
                             now=TUESDAY_NOON)
    worse.refresh_from_db()
    assert worse.urgent and result.in_hours and not result.edt_emailed
    event = ReferralEvent.objects.get(referral=worse, kind="worsened")
    assert event.reason == "He hit her again." and event.visible_to_referrer
    assert AuditEvent.objects.filter(action="referral.worsened", referral_id=worse.pk).count() == 1
    told = Notice.objects.filter(kind="worsened", recipient=manager)
    assert told.count() == 2 and not told.filter(body__contains="hit").exists()
    assert not Notice.objects.filter(kind="worsened_edt").exists()
    rows = queue_page(user=manager, team=Team.objects.get(pathway="oppd"),
                      filters=QueueFilters.from_query({}), now=TUESDAY_NOON).rows
    assert [r.pk for r in rows][:2] == [worse.pk, first.pk]
    assert result.sentences() == [
        "The OPPD contact centre's manager has been told by email and in the portal.",
        "The referral is now marked urgent and is at the top of the OPPD contact centre's list.",
    ]


def test_out_of_hours_the_edt_is_emailed_and_the_confirmation_says_when_the_team_looks(
        referrer, manager, settings):
    settings.EMERGENCY_DUTY_TEAM_EMAIL = "edt@council.example.gov.uk"
    referral = referral_with(referrer, received_at=TUESDAY_NOON)
    result = referral_worsen(referral=referral, actor=referrer, what_changed="Locked out.",
                             now=SATURDAY_NIGHT)
    edt = Notice.objects.get(kind="worsened_edt")
    assert edt.recipient_email == "edt@council.example.gov.uk" and "Locked out" not in edt.body
    assert result.sentences()[1:] == [
        "It is out of hours, so the Emergency Duty Team has been emailed.",
        "The OPPD contact centre will see it at 9am on Monday 9 November 2026, when it next "
        "opens.",
    ]


def test_without_an_edt_address_it_says_so_and_gives_the_number(referrer, manager, settings):
    settings.EMERGENCY_DUTY_TEAM_EMAIL = ""
    referral = referral_with(referrer, received_at=TUESDAY_NOON)
    result = referral_worsen(referral=referral, actor=referrer, what_changed="Worse.",
                             now=SATURDAY_NIGHT)
    assert result.sentences()[1] == ("It is out of hours, and the Emergency Duty Team could not "
                                     "be emailed: phone them on 020 7525 5000.")


def test_refused_when_closed_blank_or_out_of_scope(referrer, manager):
    referral = referral_with(referrer, received_at=TUESDAY_NOON)
    with pytest.raises(ValidationError):
        referral_worsen(referral=referral, actor=referrer, what_changed="  ", now=TUESDAY_NOON)
    other = ReferrerFactory(organisation=OrganisationFactory(name="Other", sector="health"))
    with pytest.raises(OutOfScope):
        referral_worsen(referral=referral, actor=other, what_changed="x", now=TUESDAY_NOON)
    withdrawn = referral_with(referrer, received_at=TUESDAY_NOON, status="withdrawn")
    with pytest.raises(ValidationError):
        referral_worsen(referral=withdrawn, actor=referrer, what_changed="x", now=TUESDAY_NOON)
    assert not ReferralEvent.objects.filter(kind="worsened").exists()


def test_the_pages(client, referrer, manager):
    referral = referral_with(referrer)
    client.force_login(referrer)
    status = client.get(f"/feedback/referrals/{referral.pk}/").content.decode()
    assert f"/feedback/referrals/{referral.pk}/worse/" in status
    response = client.post(f"/feedback/referrals/{referral.pk}/worse/", {"what_changed": ""})
    assert "Enter what has changed." in response.content.decode()
    response = client.post(f"/feedback/referrals/{referral.pk}/worse/",
                           {"what_changed": "Worse"}, follow=True)
    page = response.content.decode()
    assert "is marked urgent" in page and "manager has been told" in page
    assert "Worse" in client.get(f"/feedback/referrals/{referral.pk}/").content.decode()
