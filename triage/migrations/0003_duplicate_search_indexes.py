"""B-tree indexes that bound the duplicate search's candidates (triage.selectors.duplicates_for):
the person's date of birth, and their postcode as the search normalises it (upper case, no
spaces). At 1M referrals the search otherwise rechecked every name the trigram index returned
(docs/performance.md, 3). On referrals' table but created here, as 0002's trigram index is, so
the referrals app's migrations stay its owner's. PostgreSQL only, like the search they serve.
"""

from django.db import migrations

INDEXES = {
    "triage_referral_person_dob": "(person_dob)",
    "triage_referral_postcode_norm": "(upper(replace(person_postcode, ' ', '')))",
}


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON referrals_referral {columns}")


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("triage", "0002_person_name_trigram")]
    operations = [migrations.RunPython(indexes_create, indexes_drop)]
