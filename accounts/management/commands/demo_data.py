"""Demo organisations and one account per role and per pathway team. Safe to re-run."""

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, demo_people_ensure
from referrals.demo import demo_referrals_ensure


class Command(BaseCommand):
    help = "Create demo organisations and accounts (safe to re-run)."

    def handle(self, *args, **options):
        people = demo_people_ensure()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Every account's password is:"))
        self.stdout.write(f"    {DEMO_PASSWORD}")
        for email, role in people:
            self.stdout.write(f"    {email:48} {role}")
        self.stdout.write("Demo referrals:\n    " + "\n    ".join(demo_referrals_ensure()))
