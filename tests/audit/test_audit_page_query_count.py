"""A referral's audit page: the query count does not grow with its events (issue 9)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.services import audit_record
from core.vocabulary import AuditAction

pytestmark = pytest.mark.django_db


def test_audit_page_query_count_does_not_grow_with_events(client, council_admin, referrer,
                                                          staff_member):
    url = reverse("audit:referral", args=[12])
    people = [referrer, staff_member("oppd"), staff_member("mash", role="manager")]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    def add(count):
        for i in range(count):  # different actors: each row shows its actor's name
            audit_record(action=AuditAction.REFERRAL_VIEWED, actor=people[i % 3], referral_id=12)

    client.force_login(council_admin)
    queries()  # the session's first request stores the security fingerprint
    add(1)
    one = queries()
    add(15)
    sixteen = queries()
    assert sixteen == one, f"{one} queries for 1 event, {sixteen} for 16"
