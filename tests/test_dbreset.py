"""The transactional tests' reset (tests/dbreset.py) leaves the database as it was migrated."""

import io

import pytest
from django.db import connection

from tests import dbreset

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _state():
    tables = dbreset.SNAPSHOTS["default"]["tables"]
    out = {}
    with connection.cursor() as cursor:
        for table in tables:
            buffer = io.BytesIO()
            cursor.copy_expert(f"COPY (SELECT * FROM {connection.ops.quote_name(table)} "
                               "ORDER BY 1) TO STDOUT", buffer)
            if buffer.getvalue():
                out[table] = buffer.getvalue()
    return out


def _snapshot():
    # COPY of a whole table gives its rows in physical order; compare them sorted.
    return {t: b"".join(sorted(data.splitlines(keepends=True)))
            for t, data in dbreset.SNAPSHOTS["default"]["rows"].items()}


def test_a_transactional_test_changes_what_migrations_made_and_adds_rows(make_user, referrer):
    from accounts.models import Team
    from pathways.models import RoutingRule
    from tests.factories.referrals import referral_with

    assert dbreset.snapshot_available()
    Team.objects.filter(pk=Team.objects.order_by("pk").first().pk).update(name="Renamed")
    RoutingRule.objects.all().delete()
    make_user("someone@example.org")
    referral_with(referrer)
    assert {"accounts_user", "referrals_referral", "audit_auditevent"} <= set(_state())


def test_the_next_one_starts_from_the_migrated_database():
    state = {t: b"".join(sorted(data.splitlines(keepends=True))) for t, data in _state().items()}
    assert state == _snapshot()
    assert {"accounts_team", "pathways_routingrule", "django_content_type"} <= set(state)
