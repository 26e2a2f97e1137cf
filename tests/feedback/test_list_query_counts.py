"""The lead's organisation list and the notices lists: the query count does not grow with the
number of rows listed (issue 9: every list page is bounded)."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, MembershipRole, MembershipStatus
from outbox.models import Channel
from outbox.write import NoticeDraft, notices_queue_bulk
from tests.factories.feedback import notice_failed

from .factories import referral_make

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _same_count_at_two_sizes(client, url, add) -> None:
    _queries(client, url)  # the session's first request stores the security fingerprint
    add(1)
    one = _queries(client, url)
    add(15)
    sixteen = _queries(client, url)
    assert sixteen == one, f"{url}: {one} queries for 1 row, {sixteen} for 16"


def _notices(recipient, count, *, referral):
    """Portal notices to the referrer, written as the sweep writes many (one INSERT)."""
    notices_queue_bulk(
        NoticeDraft(kind="status_update", recipient=recipient, channel=Channel.PORTAL,
                    subject="Your referral has an update", body="Sign in to read it.",
                    referral=referral, dedupe_key=f"test-list-{next(_numbers)}")
        for _ in range(count)
    )


def _failed(referral, count):
    for _ in range(count):
        notice_failed(referral)


def test_organisation_list_query_count_does_not_grow(client, make_user, organisation,
                                                      referrer):
    lead = make_user("lead@daycentre.example.org", "Lee Lead")
    Membership.objects.create(user=lead, organisation=organisation,
                              role=MembershipRole.SAFEGUARDING_LEAD,
                              status=MembershipStatus.APPROVED)
    client.force_login(lead)

    def add(count):
        for _ in range(count):
            referral = referral_make(referrer=referrer)  # sent on the organisation's behalf
            assert referral.organisation == organisation

    _same_count_at_two_sizes(client, reverse("feedback:organisation"), add)
    assert len(client.get(reverse("feedback:organisation")).context["referrals"]) == 16


def test_notices_query_count_does_not_grow(client, referrer):
    client.force_login(referrer)
    referral = referral_make(referrer=referrer)
    # The submission's own acknowledgement is already in the referrer's notices.
    acknowledged = len(client.get(reverse("feedback:notices")).context["notices"])
    _same_count_at_two_sizes(client, reverse("feedback:notices"),
                             lambda n: _notices(referrer, n, referral=referral))
    assert len(client.get(reverse("feedback:notices")).context["notices"]) == acknowledged + 16


def test_failed_notices_query_count_does_not_grow(client, council_admin, referrer):
    client.force_login(council_admin)
    referral = referral_make(referrer=referrer)
    _same_count_at_two_sizes(
        client, reverse("feedback:notices-failed"),
        lambda n: _failed(referral, n))
    assert len(client.get(reverse("feedback:notices-failed")).context["notices"]) == 16
