"""What the referrer reads about a decision that explains itself (issue 15 item 6): which
section 42 criterion was not met, the child's level of need, and the services chosen from the
directory with their contact details. Nothing internal: not the criteria's codes, not the staff
rationale; withheld detail and refused consent hold back the explanation but never the services.
"""

import pytest
from django.urls import reverse

from core.vocabulary import Outcome
from directory.models import Service
from feedback.selectors import feedback_for_referrer
from tests.factories.referrals import referral_submit
from tests.factories.triage import decide

pytestmark = pytest.mark.django_db

NOT_MET_WORDS = "We did not find that the person is being abused or neglected"


@pytest.fixture
def carers():
    return Service.objects.create(
        name="Carers' support line", organisation="Southwark Carers", phone="020 7946 0101",
        email="hello@carers.example.org", url="https://carers.example.org",
        address="1 Walworth Road, London, SE17 1AA", area="Carers", source_id="c1")


def _status(client, referrer, referral):
    client.force_login(referrer)
    response = client.get(reverse("feedback:status", args=[referral.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_referrer_reads_which_criterion_was_not_met_and_the_services(client, referrer,
                                                                        carers):
    referral = referral_submit(referrer)
    decide(referral, Outcome.NOT_SAFEGUARDING, rationale="INTERNAL: neighbour dispute",
           criteria={"s42_care_needs": "met", "s42_abuse": "not_met",
                     "s42_unable_to_protect": "not_known"}, services=(carers.pk,))
    page = _status(client, referrer, referral)
    assert "What we decided, and why" in page
    assert NOT_MET_WORDS in page
    assert "section 42 of the Care Act 2014" in page
    # Each service with its contact details.
    for text in ("Carers&#x27; support line", "Run by Southwark Carers",
                 'href="tel:02079460101"', "020 7946 0101",
                 'href="mailto:hello@carers.example.org"', 'href="https://carers.example.org"',
                 "1 Walworth Road, London, SE17 1AA"):
        assert text in page, text
    # Nothing internal: no codes, no rationale, no "not known".
    for text in ("not_met", "not_known", "Not known", "INTERNAL", "s42_"):
        assert text not in page, text


def test_withheld_detail_holds_back_the_explanation_but_not_the_services(referrer, carers):
    referral = referral_submit(referrer)
    decide(referral, Outcome.NOT_SAFEGUARDING, withheld=True, services=(carers.pk,))
    [view] = feedback_for_referrer(referral)
    assert view.explanation == "" and view.services == (carers,)
    assert view.record.explanation  # kept for the record; not shown


def test_refused_consent_holds_back_the_explanation_but_not_the_services(client, referrer,
                                                                       carers):
    referral = referral_submit(referrer, consent="no")
    decide(referral, Outcome.NOT_SAFEGUARDING, services=(carers.pk,))
    page = _status(client, referrer, referral)
    assert NOT_MET_WORDS not in page and "What we decided, and why" not in page
    assert "Carers&#x27; support line" in page and "020 7946 0101" in page


def test_the_child_level_of_need_is_told_in_plain_words(client, referrer):
    child = referral_submit(referrer, child=True)
    decide(child, Outcome.EARLY_HELP, need_level="level-2")
    page = _status(client, referrer, child)
    assert ("We decided the child&#x27;s needs are at Level 2: Early help (additional needs)"
            in page)
    assert "level-2" not in page


def test_a_service_made_inactive_later_still_shows_in_feedback_already_given(referrer, carers):
    referral = referral_submit(referrer)
    decide(referral, Outcome.NOT_SAFEGUARDING, services=(carers.pk,))
    Service.objects.filter(pk=carers.pk).update(active=False)
    [view] = feedback_for_referrer(referral)
    assert [s.name for s in view.services] == ["Carers' support line"]


def test_the_feedback_email_carries_no_detail(referrer, carers):
    from outbox.models import Notice
    referral = referral_submit(referrer)
    decide(referral, Outcome.NOT_SAFEGUARDING, services=(carers.pk,))
    for notice in Notice.objects.filter(referral=referral, kind__startswith="feedback:"):
        assert NOT_MET_WORDS not in (notice.body or "")
        assert "Carers" not in (notice.body or "")
