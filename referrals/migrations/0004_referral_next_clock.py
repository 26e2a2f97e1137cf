"""The referral's next running clock, kept on the row for the triage queue's index.

The backfill is the statement pathways.deadlines.referral_clock_sync runs for one referral,
copied here (a migration must not change when that code does). It is plain SQL that runs on
PostgreSQL and SQLite alike, and touches only referrals with a running clock: the new columns
are NULL (no clock running) for every other row already.
"""

from django.conf import settings
from django.db import migrations, models


OPEN = "d.met_at IS NULL AND d.cancelled_at IS NULL"
FIRST = ("(SELECT d.{column} FROM pathways_deadline d WHERE d.referral_id = referrals_referral.id "
         f"AND {OPEN} ORDER BY d.due_at, d.id LIMIT 1)")
BACKFILL = (
    f"UPDATE referrals_referral SET next_due_at = {FIRST.format(column='due_at')}, "
    f"next_paused_at = {FIRST.format(column='paused_at')} "
    f"WHERE id IN (SELECT d.referral_id FROM pathways_deadline d WHERE {OPEN})"
)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_pathway_teams'),
        ('referrals', '0003_referral_form'),
        ('pathways', '0005_clock_policy_defaults'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='referral',
            name='next_due_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='referral',
            name='next_paused_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        # Before the index: one build instead of an index update per backfilled row.
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(condition=models.Q(('status__in', ('submitted', 'info_requested', 'rag_rated', 'concern_decided', 'enquiry', 'plan_review', 'mash_decided'))), fields=['team', '-urgent', 'next_due_at', 'received_at', 'id'], name='referral_queue_order'),
        ),
    ]
