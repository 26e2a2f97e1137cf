"""The approvals list: the query count does not grow with the requests waiting (issue 9)."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def test_approvals_query_count_does_not_grow_with_requests(client, council_admin, make_user,
                                                           organisation):
    url = reverse("accounts:approvals")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    def add(count):
        for _ in range(count):
            n = next(_numbers)
            user = make_user(f"waiting{n}@elsewhere.example.com", f"Waiting Person {n}")
            Membership.objects.create(user=user, organisation=organisation)

    client.force_login(council_admin)
    queries()  # the session's first request stores the security fingerprint
    add(1)
    one = queries()
    add(15)
    sixteen = queries()
    assert sixteen == one, f"{one} queries for 1 request, {sixteen} for 16"
    assert len(client.get(url).context["memberships"]) == 16
