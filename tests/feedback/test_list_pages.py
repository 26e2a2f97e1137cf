"""'Your referrals' and the lead's list: pages (GOV.UK pagination), search and a status filter
(issue 18, item 3). Every referral is reachable however many there are; the query count does
not grow with the page size."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.vocabulary import Outcome
from tests.conftest import otp_login
from tests.factories import triage
from tests.factories.accounts import LeadFactory
from tests.factories.referrals import referral_with

pytestmark = pytest.mark.django_db

NAMES = ["Ada Lovelace", "Bram Stoker", "Cora Pearl", "Dan Leno", "Edith Cavell",
         "Fay Weldon", "Gus Elen"]


@pytest.fixture
def seven(referrer):
    """Seven referrals, oldest first (Ada's is the oldest), the newest one decided."""
    start = timezone.now() - timedelta(days=30)
    made = [referral_with(referrer, person_name=name, received_at=start + timedelta(days=i))
            for i, name in enumerate(NAMES)]
    newest = made[-1]
    triage.decide(newest, Outcome.NOT_SAFEGUARDING, triage.worker(newest))
    return made


def _listed(response) -> list[str]:
    return [r.reference for r in response.context["submitted" if "submitted" in response.context
                                                  else "referrals"]]


def test_every_referral_is_reachable_a_page_at_a_time(client, referrer, seven, settings):
    settings.REFERRAL_LIST_PAGE_SIZE = 3
    otp_login(client, referrer)
    url = reverse("feedback:my-referrals")
    first = client.get(url)
    assert _listed(first) == [r.reference for r in reversed(seven)][:3]
    body = first.content.decode()
    assert 'class="govuk-pagination"' in body and 'aria-current="page"' in body
    assert "Showing 1 to 3 of 7 referrals" in body
    last = client.get(url, {"page": 3})
    assert _listed(last) == [seven[0].reference]  # the oldest
    assert client.get(url, {"page": 99}).context["listing"].page.number == 3


def _search(client, url, **data):
    """The search form, as the page sends it: POSTed, then the redirect followed."""
    return client.post(url, data, follow=True)


def test_a_referrer_searches_by_reference_or_name_and_filters_by_status(client, referrer, seven,
                                                                        settings):
    otp_login(client, referrer)
    url = reverse("feedback:my-referrals")
    assert _listed(_search(client, url, q=seven[2].reference.lower())) == [seven[2].reference]
    assert _listed(_search(client, url, q="stoker")) == [seven[1].reference]
    assert _listed(_search(client, url, status="decided")) == [seven[-1].reference]
    assert len(_listed(client.get(url, {"status": "waiting"}))) == 6
    nothing = _search(client, url, q="nobody-like-this")
    assert _listed(nothing) == [] and "No referrals match your search." in nothing.content.decode()
    assert len(_listed(_search(client, url, q="x", clear="1"))) == 7
    # The status filter is kept on the page links.
    settings.REFERRAL_LIST_PAGE_SIZE = 3
    paged = client.get(url, {"status": "waiting"}).content.decode()
    assert 'href="?status=waiting&amp;page=2"' in paged


def test_a_name_searched_for_never_goes_into_a_url(client, referrer, seven, settings):
    """docs/security.md "Nothing personal in URLs": the search may be the person's name, so the
    form is POSTed and the text kept in the session; a name in the query string is ignored."""
    settings.REFERRAL_LIST_PAGE_SIZE = 3
    otp_login(client, referrer)
    url = reverse("feedback:my-referrals")
    body = client.get(url).content.decode()
    assert '<form method="post" class="portal-list-search"' in body
    response = client.post(url, {"q": "Stoker", "status": "waiting"})
    assert response.status_code == 302 and "Stoker" not in response["Location"]
    page = client.get(response["Location"])
    assert _listed(page) == [seven[1].reference]
    assert "Stoker" not in "".join(page.context["listing"].query)
    _search(client, url, q="e")  # several pages of matches: no page link holds the text
    body = client.get(url).content.decode()
    assert 'href="?page=2"' in body and "q=" not in body
    _search(client, url, clear="1")
    assert len(_listed(client.get(url, {"q": "Stoker"}))) == 3  # ignored: a full first page


def test_the_lead_pages_and_searches_by_reference_only(client, referrer, seven, settings):
    settings.REFERRAL_LIST_PAGE_SIZE = 3
    lead = LeadFactory(organisation=referrer.membership.organisation)
    otp_login(client, lead)
    url = reverse("feedback:organisation")
    assert len(_listed(client.get(url))) == 3
    assert _listed(client.get(url, {"page": 3})) == [seven[0].reference]
    assert _listed(_search(client, url, q=seven[4].reference)) == [seven[4].reference]
    assert _listed(_search(client, url, q="Cavell")) == []  # the lead does not see names


@pytest.mark.parametrize("name", ["feedback:my-referrals", "feedback:organisation"])
def test_the_query_count_does_not_grow_with_the_page_size(client, referrer, seven, settings, name):
    lead = LeadFactory(organisation=referrer.membership.organisation)
    otp_login(client, referrer if name == "feedback:my-referrals" else lead)
    url = reverse(name)
    client.get(url)  # the session's first request stores the security fingerprint
    counts = []
    for size in (2, 7):
        settings.REFERRAL_LIST_PAGE_SIZE = size
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert len(_listed(response)) == size
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_drafts_say_whose_how_far_and_until_when_without_the_name(client, referrer):
    """Five drafts all read 'Continue draft started 2 December 2026' (issue 18, item 4)."""
    from tests.factories.referrals import partial_draft

    named = partial_draft(referrer, until="concern", person_name="Eleanor Whitcombe")
    unnamed = partial_draft(referrer, until="urgency")  # stopped after "Before you start"
    otp_login(client, referrer)
    body = client.get(reverse("feedback:my-referrals")).content.decode()
    assert "Eleanor" not in body and "Whitcombe" not in body
    assert "Person with initials E W" in body
    assert "Person not named yet" in body
    assert "Older people and physical disabilities (OPPD)" in body  # the team chosen
    assert "Not chosen yet" in body  # the other has not reached the team page
    assert "What has happened (page 6 of" in body
    assert "Urgency (page 1 of" in body
    assert "Last saved" in body
    for draft in (named, unnamed):
        assert f"{draft.draft_expires_at.day} {draft.draft_expires_at:%B %Y}" in body
        assert reverse("referrals:resume", args=[draft.pk]) in body
