"""Learning from referrers (issue 15, item 8): "How was making this referral?" after sending,
and the feedback link on every page. Kept against organisations and sectors, never people."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from learning.models import ReferrerFeedback, Source
from learning.services import AlreadyRated, page_feedback_give, referral_rate
from referrals.access import OutOfScope
from tests.factories.accounts import OrganisationFactory, ReferrerFactory, staff
from tests.factories.referrals import referral_submit

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def referral():
    org = OrganisationFactory(name="Peckham Food Bank", sector="voluntary")
    return referral_submit(ReferrerFactory(organisation=org))


def test_a_rating_is_kept_against_the_organisation_and_sector_by_the_day(referral):
    at = datetime(2026, 11, 23, 15, 47, tzinfo=LONDON)
    rating = referral_rate(referral=referral, actor=referral.referrer, rating=4,
                           comment="Clear, but long.", now=at)
    assert (rating.source, rating.rating, rating.comment) == (Source.AFTER_REFERRAL, 4,
                                                               "Clear, but long.")
    assert rating.organisation == referral.organisation and rating.sector == "voluntary"
    assert rating.created_at == datetime(2026, 11, 23, tzinfo=LONDON)  # the day, not the time
    # Nothing names the person or the referral: no such columns, and the key is a keyed hash.
    columns = {f.name for f in ReferrerFeedback._meta.get_fields()}
    assert not columns & {"user", "referrer", "referral", "person_name", "email"}
    assert str(referral.pk) != rating.once_key and referral.reference not in rating.once_key


def test_once_per_referral_and_only_by_its_referrer(referral):
    with pytest.raises(OutOfScope):
        referral_rate(referral=referral, actor=ReferrerFactory(), rating=5)
    with pytest.raises(ValidationError):
        referral_rate(referral=referral, actor=referral.referrer, rating=6)
    with pytest.raises(ValidationError):
        referral_rate(referral=referral, actor=referral.referrer, rating=3, comment="x" * 501)
    referral_rate(referral=referral, actor=referral.referrer, rating=2)
    with pytest.raises(AlreadyRated):
        referral_rate(referral=referral, actor=referral.referrer, rating=5)
    assert ReferrerFeedback.objects.count() == 1


def test_the_confirmation_page_offers_it_until_answered(client, referral):
    client.force_login(referral.referrer)
    confirmation = reverse("referrals:confirmation", args=[referral.pk])
    assert "How was making this referral?" in client.get(confirmation).content.decode()
    rate = reverse("learning:rate", args=[referral.pk])
    response = client.post(rate, {"comment": "Quick."})  # no rating: an error, words kept
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select how making the referral was, from very good to very poor" in page
    assert "Quick." in page
    response = client.post(rate, {"rating": "5", "comment": "Quick."}, follow=True)
    page = response.content.decode()
    assert "Thank you for your feedback" in page
    assert 'data-testid="rate-referral"' not in page
    assert client.post(rate, {"rating": "1"}).status_code == 302  # told it is done already
    assert list(ReferrerFeedback.objects.values_list("rating", flat=True)) == [5]


def test_nobody_else_can_rate_it(client, referral):
    assert client.get(reverse("learning:rate", args=[referral.pk])).status_code == 302
    client.force_login(ReferrerFactory())
    assert client.post(reverse("learning:rate", args=[referral.pk]),
                       {"rating": "1"}).status_code == 404
    client.force_login(staff(referral.pathway))
    assert client.post(reverse("learning:rate", args=[referral.pk]),
                       {"rating": "1"}).status_code == 404
    assert not ReferrerFeedback.objects.exists()


def test_every_page_links_to_feedback_and_guidance(client, referral):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(referral.referrer)
        page = client.get(reverse("start")).content.decode()
        assert "govuk-phase-banner" in page
        assert f'href="{reverse("learning:give-feedback")}">give your feedback</a>' in page
        assert f'href="{reverse("learning:guidance")}">Guidance for referrers</a>' in page


def test_the_feedback_link_works_signed_out_and_asks_nothing_personal(client):
    form = client.get(reverse("learning:give-feedback"),
                      HTTP_REFERER="http://testserver/referrals/123/sent/").content.decode()
    assert 'value="referrals:confirmation"' in form  # the kind of page, not its address
    for personal in ("email", "Your name", "phone"):
        assert f'name="{personal}' not in form
    response = client.post(reverse("learning:give-feedback"),
                           {"rating": "2", "comment": "Could not find the LADO form.",
                            "page": "referrals:confirmation"})
    assert response.status_code == 302 and response["Location"] == reverse("learning:thanks")
    row = ReferrerFeedback.objects.get()
    assert (row.source, row.rating, row.signed_in, row.organisation, row.page) == (
        Source.PAGE, 2, False, None, "referrals:confirmation")


def test_a_signed_in_referrers_organisation_is_kept_not_them(client, referral):
    client.force_login(referral.referrer)
    client.post(reverse("learning:give-feedback"), {"rating": "4"})
    row = ReferrerFeedback.objects.get()
    assert row.signed_in and row.organisation == referral.organisation
    assert row.sector == "voluntary"
    # Staff: signed in, but no organisation to keep.
    page_feedback_give(user=staff("oppd"), rating=3)
    assert ReferrerFeedback.objects.filter(signed_in=True, organisation=None).count() == 1


def test_errors_keep_what_was_typed_and_robots_are_thanked_but_not_kept(client):
    response = client.post(reverse("learning:give-feedback"), {"comment": "The map is wrong."})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select how you felt about the service, from very good to very poor" in page
    assert "The map is wrong." in page
    response = client.post(reverse("learning:give-feedback"),
                           {"rating": "5", "comment": "Buy now", "website": "http://spam"})
    assert response.status_code == 302 and not ReferrerFeedback.objects.exists()
    assert client.post(reverse("learning:give-feedback"),
                       {"rating": "3", "comment": "x" * 501}).status_code == 200
    assert not ReferrerFeedback.objects.exists()


def test_the_feedback_link_is_rate_limited(client, rate_limits_on):
    rate_limits_on.RATE_LIMITS = {**rate_limits_on.RATE_LIMITS,
                                  "referrer_feedback": ("2/h", "3/h")}
    answers = [client.post(reverse("learning:give-feedback"), {"rating": "3"}).status_code
               for _ in range(4)]
    assert answers == [302, 302, 302, 429]
    assert ReferrerFeedback.objects.count() == 3
