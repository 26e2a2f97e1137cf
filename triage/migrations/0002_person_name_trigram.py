"""pg_trgm and a trigram index on the referral's person_name, for the duplicate search.

The index is on referrals' table but created here, so the referrals app's migrations stay its
owner's. Both operations do nothing on SQLite (the demo database), where the duplicate search
falls back to exact matching.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "triage_referral_person_name_trgm"


class TrigramExtensionIfPostgres(TrigramExtension):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        # Other apps may use pg_trgm too: never drop the extension on the way back.
        return


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON referrals_referral "
        "USING gin (lower(person_name) gin_trgm_ops)"
    )


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0001_initial"),
        ("referrals", "0002_referral_feedback_preference_referral_referrer_phone"),
    ]
    operations = [
        TrigramExtensionIfPostgres(),
        migrations.RunPython(index_create, index_drop),
    ]
