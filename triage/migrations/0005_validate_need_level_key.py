"""The decision's level-of-need key, added NOT VALID by 0004, validated in its own transaction:
VALIDATE CONSTRAINT lets reads and writes go on while it checks the rows."""

from django.db import migrations

from core.migration_operations import ValidateConstraint


class Migration(migrations.Migration):

    dependencies = [
        ('triage', '0004_decision_criteria_and_need_level'),
    ]

    operations = [
        ValidateConstraint('triage_decision',
                           'triage_decision_need_level_id_fk_pathways_thresholdlevel_id'),
    ]
