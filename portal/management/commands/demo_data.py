"""Demo organisations and one account per role and per pathway team. Safe to re-run."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, demo_people_ensure
from challenges.demo import demo_challenges_ensure
from consultations.demo import demo_consultations_ensure
from dashboard.demo import dashboard_demo_ensure
from learning.demo import demo_learning_ensure
from pathways.demo import demo_clocks_ensure
from referrals.demo import demo_referrals_ensure
from referrals.sweep import deadlines_sweep
from triage.demo import demo_triage_ensure


class Command(BaseCommand):
    help = "Create demo organisations and accounts (safe to re-run)."

    def handle(self, *args, **options):
        people = demo_people_ensure()
        referrals = demo_referrals_ensure()
        demo_triage_ensure()
        dashboard_demo_ensure()
        demo_clocks_ensure()
        # Issue 15's challenges and requests for advice, at chosen times (after the history
        # and the triage demo, whose decisions they challenge).
        demo_challenges_ensure()
        demo_consultations_ensure()
        # Issue 15 item 8: ratings after sending (on the history's referrals) and comments from
        # the feedback link, so "What referrers tell us" has figures.
        demo_learning_ensure()
        # The first sweep now, so breaches and warnings (and their notices) show at once.
        deadlines_sweep(now=timezone.now())
        self.stdout.write(self.style.SUCCESS("Demo data ready. Every account's password is:"))
        self.stdout.write(f"    {DEMO_PASSWORD}")
        for email, role in people:
            self.stdout.write(f"    {email:52} {role}")
        self.stdout.write("Demo referrals:\n    " + "\n    ".join(referrals))
        self.stdout.write(f"Sign in at {settings.SITE_URL}{reverse('accounts:sign-in')}")
