from django.core.management.base import BaseCommand
from django.utils import timezone

from privacy.retention import retention_due, retention_sweep


class Command(BaseCommand):
    help = "Delete finished referrals past their retention period (--dry-run to count only)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        if dry_run:
            self.stdout.write(f"{retention_due(now=now).count()} referral(s) past retention")
            return
        self.stdout.write(f"{retention_sweep(now=now)} referral(s) deleted")
