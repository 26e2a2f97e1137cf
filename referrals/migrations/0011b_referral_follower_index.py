"""The follower's index, built without locking the referral table (docs/deployment.md,
"Upgrades"): partial, over the few referrals handed to a colleague; and the check of the
foreign key 0011 added NOT VALID."""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOrPlain, ValidateConstraint


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('referrals', '0011_referral_follower_and_follow_up_kind'),
    ]

    operations = [
        # The foreign key was added NOT VALID (no check of the existing rows under 0011's
        # lock); validating it takes a lock that lets reads and writes go on.
        ValidateConstraint('referrals_referral',
                           'referrals_referral_follower_id_fk_accounts_user_id'),
        AddIndexConcurrentlyOrPlain(
            model_name='referral',
            index=models.Index(condition=models.Q(('follower__isnull', False)),
                               fields=['follower'], name='referral_follower'),
        ),
    ]
