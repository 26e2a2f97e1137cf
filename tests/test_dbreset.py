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


def test_built_once_builds_the_first_time_then_loads_the_same_rows(make_user):
    built = []

    def build():
        built.append(make_user("built.once@example.org").pk)

    def build_again():
        raise AssertionError("built twice")

    from accounts.models import User

    dbreset.built_once("test_dbreset", build)
    assert built and User.objects.filter(pk=built[0]).exists()
    dbreset.snapshot_restore()
    assert not User.objects.exists()
    dbreset.built_once("test_dbreset", build_again)
    assert list(User.objects.values_list("pk", "email")) == [(built[0], "built.once@example.org")]


def test_built_once_returns_the_builds_value_and_refuses_a_database_not_as_migrated(make_user):
    def build_again():
        raise AssertionError("built twice")

    made = dbreset.built_once("test_dbreset_value",
                              lambda: {"pk": make_user("value@example.org").pk})
    dbreset.snapshot_restore()
    assert dbreset.built_once("test_dbreset_value", build_again) == made
    make_user("made.before@example.org")
    # Loading would delete the row the test has just made: refused.
    with pytest.raises(RuntimeError, match="not as migrated"):
        dbreset.built_once("test_dbreset_value", build_again)


def test_a_build_inside_a_rolled_back_transaction_is_kept_apart_from_a_committed_one(make_user):
    from django.db import transaction

    from accounts.models import User

    dbreset.built_once("test_dbreset_apart", lambda: make_user("committed@example.org"))
    dbreset.snapshot_restore()
    built = []
    # As tests/dashboard/conftest.py's module transaction: what it builds is rolled back, and
    # its transaction.on_commit work never runs, so it is not the committed build's rows.
    with transaction.atomic():
        dbreset.built_once("test_dbreset_apart",
                           lambda: built.append(make_user("in.transaction@example.org")))
        assert built
        assert list(User.objects.values_list("email", flat=True)) == ["in.transaction@example.org"]
        transaction.set_rollback(True)
    assert not User.objects.exists()
    dbreset.built_once("test_dbreset_apart", lambda: pytest.fail("built twice"))
    assert list(User.objects.values_list("email", flat=True)) == ["committed@example.org"]
