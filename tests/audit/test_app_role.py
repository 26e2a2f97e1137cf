"""Issue 14, attack 9: the application's database role cannot rewrite the audit.

The application connects as a role made by `manage.py db_app_role` (audit/db_roles.py): it owns
nothing, and on the audit table has only INSERT and SELECT. Inside the test's transaction a
fresh role gets exactly those grants, and `SET LOCAL ROLE` proves what it can and cannot do
(each attempt in its own savepoint; the role disappears with the transaction).
"""

import uuid

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.db_roles import app_role_grant
from audit.models import AuditEvent
from audit.services import audit_record
from core.vocabulary import AuditAction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def app_role(db):
    role = f"portal_app_test_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        app_role_grant(cursor, role=role)
    return role


@pytest.fixture
def event(db, referrer):
    return audit_record(action=AuditAction.REFERRAL_VIEWED, actor=referrer, referral_id=41)


def as_role(role, statement, params=None):
    """Run one statement as `role`; return the error PostgreSQL gave, or None."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'SET LOCAL ROLE "{role}"')
            cursor.execute(statement, params)
    except DatabaseError as error:
        return str(error)
    return None


def test_the_app_role_appends_and_reads_the_audit(app_role, event):
    assert as_role(app_role, "INSERT INTO audit_auditevent (at, action, referral_id, "
                   "object_type, object_id, allowed, path, detail) VALUES (now(), "
                   "'referral.viewed', 41, '', '', true, '', '{}')") is None
    assert as_role(app_role, "SELECT count(*) FROM audit_auditevent") is None


@pytest.mark.parametrize("statement", [
    "UPDATE audit_auditevent SET action = 'nothing_to_see'",
    "DELETE FROM audit_auditevent",
    "TRUNCATE audit_auditevent",
    "TRUNCATE audit_auditevent CASCADE",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
    "DROP TRIGGER audit_auditevent_no_truncate ON audit_auditevent",
    "DROP FUNCTION audit_auditevent_append_only() CASCADE",
    "DROP TABLE audit_auditevent CASCADE",
    "ALTER TABLE audit_auditevent OWNER TO CURRENT_USER",
])
def test_the_app_role_cannot_rewrite_the_audit_or_its_guard(app_role, event, statement):
    error = as_role(app_role, statement)
    assert error is not None, statement
    assert "permission denied" in error or "must be owner" in error, error
    assert AuditEvent.objects.filter(pk=event.pk, action="referral.viewed").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_auditevent'"
                       "::regclass AND tgenabled = 'O' AND NOT tgisinternal")
        assert cursor.fetchone()[0] == 2


def test_the_app_role_holds_only_select_and_insert_on_the_audit(app_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT privilege_type FROM information_schema.role_table_grants "
                       "WHERE table_name = 'audit_auditevent' AND grantee = %s", [app_role])
        assert sorted(row[0] for row in cursor.fetchall()) == ["INSERT", "SELECT"]
        cursor.execute("SELECT pg_get_userbyid(relowner) FROM pg_class "
                       "WHERE oid = 'audit_auditevent'::regclass")
        assert cursor.fetchone()[0] != app_role
    # Granting itself more is silently a no-op for a role without the grant option.
    as_role(app_role, "GRANT UPDATE, DELETE, TRUNCATE ON audit_auditevent TO CURRENT_USER")
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, 'audit_auditevent', "
                       "'UPDATE, DELETE, TRUNCATE, TRIGGER')", [app_role])
        assert cursor.fetchone()[0] is False


def test_the_app_role_still_writes_the_portals_other_tables(app_role, referrer):
    assert as_role(app_role, "UPDATE accounts_user SET job_title = 'Manager' WHERE id = %s",
                   [referrer.pk]) is None
    assert as_role(app_role, "DELETE FROM accounts_organisation WHERE id = -1") is None
    assert as_role(app_role, "CREATE TEMPORARY TABLE scratch (id int)") is None
    # ...but it cannot change their shape: that is for migrations, run as the owner.
    assert "must be owner" in as_role(app_role, "ALTER TABLE accounts_user ADD COLUMN x int")


def test_the_trigger_refuses_truncate_to_anyone_but_a_superuser(db):
    """Even a role that was granted TRUNCATE (by mistake) is refused by the trigger. (No rows
    are written first: PostgreSQL refuses a TRUNCATE with the new rows' foreign-key checks
    pending in the same transaction, which would hide what the trigger does.)"""
    role = f"portal_careless_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}"')
        cursor.execute(f'GRANT TRUNCATE ON audit_auditevent TO "{role}"')
    error = as_role(role, "TRUNCATE audit_auditevent")
    assert error is not None and "append-only: TRUNCATE refused" in error, error


def test_the_command_refuses_to_demote_the_owner(db, monkeypatch):
    from django.core.management.base import CommandError

    owner = connection.settings_dict["USER"]
    with pytest.raises(CommandError, match="must not be the owner"):
        call_command("db_app_role", role=owner)
