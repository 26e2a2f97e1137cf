"""The append-only trigger covers TRUNCATE too (issue 14, attack 9).

Row triggers never see a TRUNCATE, so a statement trigger refuses it. One exception: a
PostgreSQL superuser, because the test database is emptied between tests with TRUNCATE, and a
superuser can drop any trigger anyway. The application itself connects as a role that has no
TRUNCATE (or UPDATE, DELETE, TRIGGER) right on this table and does not own it
(`manage.py db_app_role`, docs/security.md), so for the application both the rights and the
trigger say no.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

CREATE = FUNCTION + """
CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_append_only();
"""

DROP = "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_alter_auditevent_action")]

    operations = [migrations.RunPython(forwards, backwards)]
