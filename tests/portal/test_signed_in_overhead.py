"""What every signed-in page costs before its view runs (docs/performance.md, section 7).

The bench's minimal view (one primary-key query and a tiny template) through the whole
middleware stack, second factor enforced as in production.
"""

import time

import pytest
from django.urls import reverse

from mfa.services import SESSION_SEEN_KEY
from tests.conftest import otp_login
from tests.factories.referrals import ReferralFactory

pytestmark = [pytest.mark.usefixtures("mfa_enforced"), pytest.mark.urls("tests.portal.bench_urls")]

# Under pytest the request's ATOMIC_REQUESTS transaction is a savepoint inside the test's own
# transaction (2 statements); in production it is BEGIN/COMMIT, which are not counted.
SAVEPOINT = 2
# The session, the user, the OTP device (django-otp), the role fingerprint (one query).
STACK = 4


@pytest.fixture
def minimal_url(db, staff_member):
    worker = staff_member("oppd")
    referral = ReferralFactory()
    return worker, referral, reverse("bench-minimal", args=[referral.pk])


def test_a_plain_signed_in_page_costs_four_queries_and_no_session_write(
        client, minimal_url, django_assert_num_queries):
    worker, referral, url = minimal_url
    otp_login(client, worker)
    assert client.get(url).status_code == 200  # the session's first request stores its clocks
    # Before (main at 00:29, 22 Nov 2026): 12 statements here, 10 in production: the session,
    # the user, the device, team membership twice, the membership, the referral, and an UPDATE
    # of django_session in a second transaction on every request.
    with django_assert_num_queries(STACK + 1 + SAVEPOINT) as captured:
        response = client.get(url)
    assert response.status_code == 200 and referral.reference.encode() in response.content
    statements = [query["sql"] for query in captured.captured_queries]
    assert not any(sql.startswith("UPDATE") for sql in statements), statements
    assert sum('"accounts_teammembership"' in sql for sql in statements) == 1  # the fingerprint


def test_the_session_is_written_again_once_a_minute_has_passed(
        client, minimal_url, django_assert_num_queries):
    worker, referral, url = minimal_url
    otp_login(client, worker)
    client.get(url)
    session = client.session
    session[SESSION_SEEN_KEY] = time.time() - 61
    session.save()
    with django_assert_num_queries(STACK + 1 + SAVEPOINT + 3) as captured:  # + savepoint, UPDATE
        client.get(url)
    assert any(q["sql"].startswith('UPDATE "django_session"') for q in captured.captured_queries)
    assert time.time() - client.session[SESSION_SEEN_KEY] < 5
