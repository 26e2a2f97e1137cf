"""The retention sweep's index (privacy.retention.retention_sweep: one pathway at a time,
oldest closure first), built without locking the referral table (docs/deployment.md,
"Upgrades"). Partial: only referrals with a closure date."""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOrPlain


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('referrals', '0015_union_of_choices_with_duties'),
    ]

    operations = [
        AddIndexConcurrentlyOrPlain(
            model_name='referral',
            index=models.Index(condition=models.Q(('closed_at__isnull', False)),
                               fields=['pathway', 'closed_at', 'id'],
                               name='referral_retention_due'),
        ),
    ]
