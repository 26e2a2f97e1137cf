"""Issue 15, progress: the referrer's side is told, on their chosen channels and in general
words (safe whatever consent allows), when the enquiry starts and concludes, when the
referral moves to another team (by email too), and when the information asked for arrives and
the referral is back with the team."""

from datetime import UTC, datetime, timedelta

import pytest

from core.vocabulary import Status
from feedback.updates import referral_information_add
from outbox.models import Channel, Notice
from referrals.models import Referral
from tests.factories import triage
from tests.factories.accounts import OrganisationFactory, ReferrerFactory
from tests.factories.referrals import ReferralFactory, referral_with

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
LATER = MONDAY + timedelta(hours=2)


@pytest.fixture
def referrer():
    return ReferrerFactory(organisation=OrganisationFactory(name="Camberwell Day Centre",
                                                            sector="voluntary"))


def _told(referral, kind):
    return sorted(Notice.objects.filter(referral=referral, kind=kind,
                                        recipient=referral.referrer)
                  .values_list("channel", flat=True))


BOTH = sorted([Channel.PORTAL, Channel.EMAIL])


def test_enquiry_started_and_concluded(referrer):
    referral = referral_with(referrer, received_at=MONDAY)
    triage.to_status(referral, Status.ENQUIRY, now=MONDAY)
    assert _told(referral, "enquiry_started") == BOTH
    triage.plan(referral, now=LATER)
    assert _told(referral, "enquiry_concluded") == BOTH


def test_moved_to_another_team_by_email_too(referrer):
    referral = referral_with(referrer, received_at=MONDAY)
    triage.reroute(referral, "mash", now=LATER)
    assert _told(referral, "rerouted") == BOTH


def test_information_recorded_by_staff_is_told_and_the_referral_is_back(referrer):
    referral = referral_with(referrer, received_at=MONDAY)
    triage.info_request(referral, now=MONDAY)
    assert _told(referral, "info_received") == []
    triage.info_receive(referral, "Her GP phoned back.", now=LATER)
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    assert _told(referral, "info_received") == BOTH
    notice = Notice.objects.filter(kind="info_received").first()
    assert "back with the team" in notice.body and "GP" not in notice.body


def test_the_referrers_reply_moves_it_back_and_they_are_told(referrer):
    referral = referral_with(referrer, received_at=MONDAY)
    triage.info_request(referral, now=MONDAY)
    referral_information_add(referral=referral, actor=referrer, text="She moved.", now=LATER)
    assert Referral.objects.get(pk=referral.pk).status == Status.SUBMITTED
    assert _told(referral, "info_received") == BOTH


def test_phone_only_means_the_portal_only(referrer):
    referral = referral_with(referrer, received_at=MONDAY, feedback_preference="phone_only")
    triage.info_request(referral, now=MONDAY)
    triage.info_receive(referral, now=LATER)
    assert _told(referral, "info_received") == [Channel.PORTAL]


def test_without_consent_the_words_stay_general(referrer):
    referral = ReferralFactory(referrer=referrer, consent="no", pathway="oppd", now=MONDAY)
    triage.info_request(referral, now=MONDAY)
    triage.info_receive(referral, "The adult told us about her son.", now=LATER)
    notices = Notice.objects.filter(referral=referral, kind="info_received")
    assert notices.count() == 2
    assert not notices.filter(body__contains="son").exists()
