"""The decision's level-of-need key, added NOT VALID by 0004, validated in its own transaction:
VALIDATE CONSTRAINT lets reads and writes go on while it checks the rows."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('triage', '0004_decision_criteria_and_need_level'),
    ]

    operations = [
        migrations.RunSQL(
            'ALTER TABLE "triage_decision" VALIDATE CONSTRAINT '
            '"triage_decision_need_level_id_fk_pathways_thresholdlevel_id"',
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
