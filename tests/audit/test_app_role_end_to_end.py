"""The split as deployed (issue 14, attack 9): migrations as the owner, the portal as the
application role, on a fresh database, each step a separate `manage.py` process as
scripts/docker-web runs them.

The application role then signs a person up through the real service (every ordinary table
writable), writes an audit row through the one audit writer, and is refused when it tries to
delete one, by the database's rights rather than by the trigger alone.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
import psycopg2
import pytest

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]

APP_CODE = """
from django.db import DatabaseError, connection, transaction
from accounts.services import referrer_sign_up
from audit.models import AuditEvent
from audit.services import audit_record
from core.vocabulary import AuditAction
with connection.cursor() as cursor:
    cursor.execute("SELECT current_user")
    print("user", cursor.fetchone()[0])
from django.utils import timezone
from accounts.models import User
referrer_sign_up(full_name="Test Person", email="person@example.org",
                 password="a-long-passphrase-for-tests", job_title="Volunteer",
                 organisation=None, new_organisation_name="Test Group",
                 new_organisation_sector="voluntary", now=timezone.now())
print("people", User.objects.count())
event = audit_record(action=AuditAction.REFERRAL_VIEWED, referral_id=7)
print("audit rows", AuditEvent.objects.count())
for attempt in ("delete", "update"):
    try:
        with transaction.atomic():
            rows = AuditEvent.objects.filter(pk=event.pk)
            rows.delete() if attempt == "delete" else rows.update(action="x")
    except DatabaseError as error:
        print(attempt, "refused:", str(error).splitlines()[0])
"""


def _url(base: dict, *, user: str, name: str) -> str:
    host, port = base.get("HOST") or "127.0.0.1", base.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{name}"


def _manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def fresh_database():
    base = dj_database_url.parse(os.environ["DATABASE_URL"])
    name, role = f"portal_roles_{uuid.uuid4().hex[:10]}", f"portal_app_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(dbname="postgres", user=base["USER"], host=base["HOST"],
                             port=base["PORT"] or 5432, password=base.get("PASSWORD") or None)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield (_url(base, user=base["USER"], name=name), _url(base, user=role, name=name),
               role)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            # Its grants lived in the database just dropped; the role itself is cluster-wide.
            cursor.execute(f'DROP ROLE IF EXISTS "{role}"')
        admin.close()


def test_owner_migrates_app_role_runs_and_cannot_delete_audit_rows(fresh_database):
    owner_url, app_url, role = fresh_database
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings_test"}
    migrated = _manage("migrate", "--noinput", "-v0", env={**env, "DATABASE_URL": owner_url})
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    granted = _manage("db_app_role", env={**env, "DATABASE_URL": owner_url,
                                          "APP_DATABASE_URL": app_url})
    assert granted.returncode == 0, granted.stderr[-3000:]
    ran = _manage("shell", "-c", APP_CODE,
                  env={**env, "DATABASE_URL": app_url})
    assert ran.returncode == 0, ran.stderr[-3000:]
    out = ran.stdout
    assert f"user {role}" in out
    assert "people 1" in out
    assert "audit rows" in out
    assert "delete refused: permission denied for table audit_auditevent" in out
    assert "update refused: permission denied for table audit_auditevent" in out
