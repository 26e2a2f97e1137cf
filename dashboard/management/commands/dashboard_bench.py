"""Seed a scratch PostgreSQL database with many referrals and time every dashboard figure.

    DATABASE_URL=postgres://.../scratch python manage.py dashboard_bench --seed 1000000 \
        --scratch-database
    DATABASE_URL=postgres://.../scratch python manage.py dashboard_bench

Seeding is one INSERT ... SELECT FROM generate_series per table (minutes, not hours). It writes
synthetic rows with references starting "B": never run it on a real database.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Organisation, Sector, User
from core.vocabulary import Role

SEED_SQL = [
    # Referrals over the last two years, spread over pathways, sectors, categories, outcomes.
    """
    INSERT INTO referrals_referral (reference, pathway, status, urgent, urgent_reason,
        person_name, person_other_names, person_address, person_postcode, categories, answers,
        rag_rating, outcome, created_at, updated_at, received_at, closed_at, organisation_id,
        referrer_id, feedback_preference, referrer_phone)
    SELECT 'B' || lpad(g::text, 10, '0'), p.pathway,
        CASE WHEN p.outcome = '' THEN 'submitted'
             WHEN p.received < now() - interval '30 days' THEN 'closed'
             WHEN p.pathway = 'mash' THEN 'mash_decided' ELSE 'concern_decided' END,
        g %% 7 = 0, '', '', '', '', '',
        CASE WHEN g %% 3 = 0 THEN jsonb_build_array(p.cat, 'neglect')
             ELSE jsonb_build_array(p.cat) END,
        '{}'::jsonb,
        CASE WHEN p.pathway = 'mash' THEN (ARRAY['red','amber','green'])[1 + (g / 4) %% 3]
             ELSE '' END,
        p.outcome, p.received, p.received, p.received,
        CASE WHEN p.outcome <> '' AND p.received < now() - interval '30 days'
             THEN p.received + interval '20 days' END,
        (%(orgs)s)[1 + (g * 7) %% %(org_slots)s], %(referrer)s, 'portal_email', ''
    FROM (
        SELECT g, pw.pathway, pw.received,
            (ARRAY['physical','financial','psychological','domestic','sexual','self_neglect',
                   'organisational'])[1 + g %% 7] AS cat,
            CASE WHEN random() < 0.04 THEN ''
                 WHEN pw.pathway = 'mash' THEN (ARRAY['nfa','early_help','s17','s47',
                     'immediate_protection'])[1 + (g / 4) %% 5]
                 ELSE (ARRAY['s42_met','concern_not_met','not_safeguarding'])[1 + (g / 4) %% 3]
            END AS outcome
        FROM generate_series(1, %(n)s) g,
        LATERAL (SELECT (ARRAY['oppd','mental-health','learning-disabilities','mash'])[1 + g %% 4]
                        AS pathway,
                        now() - random() * interval '730 days' AS received) pw
    ) p
    """,
    # The first decision's clock: same working day (adults) or one working day (MASH).
    """
    INSERT INTO pathways_deadline (referral_id, kind, starts_at, warning_at, due_at, met_at,
        created_at)
    SELECT id, CASE WHEN pathway = 'mash' THEN 'mash_decision' ELSE 'concern_decision' END,
        received_at, received_at + interval '6 hours', received_at + interval '8 hours',
        CASE WHEN outcome <> '' THEN received_at + random() * interval '12 hours' END,
        received_at
    FROM referrals_referral WHERE reference LIKE 'B%%'
    """,
    """
    INSERT INTO referrals_referralevent (referral_id, at, kind, from_status, to_status, reason,
        visible_to_referrer, detail)
    SELECT id, received_at + interval '1 hour', 'rag_rated', 'submitted', 'rag_rated', '', false,
        jsonb_build_object('rating', rag_rating)
    FROM referrals_referral WHERE reference LIKE 'B%%' AND pathway = 'mash'
    """,
    """
    INSERT INTO pathways_deadline (referral_id, kind, starts_at, warning_at, due_at, met_at,
        created_at)
    SELECT id, 'rag', received_at + interval '1 hour', received_at + interval '2 hours',
        received_at + interval '1 hour' + CASE rag_rating WHEN 'red' THEN interval '4 hours'
            WHEN 'amber' THEN interval '24 hours' ELSE interval '72 hours' END,
        CASE WHEN outcome <> '' THEN received_at + random() * interval '30 hours' END,
        received_at
    FROM referrals_referral WHERE reference LIKE 'B%%' AND pathway = 'mash'
    """,
    """
    INSERT INTO referrals_referralevent (referral_id, at, kind, from_status, to_status, reason,
        visible_to_referrer, detail)
    SELECT id, received_at + interval '8 hours', 'status', 'submitted', 'enquiry', '', false,
        '{}'::jsonb
    FROM referrals_referral WHERE reference LIKE 'B%%' AND outcome = 's42_met'
    """,
    """
    INSERT INTO pathways_deadline (referral_id, kind, starts_at, warning_at, due_at, met_at,
        created_at)
    SELECT id, 'enquiry', received_at + interval '8 hours', received_at + interval '31 days',
        received_at + interval '8 hours' + interval '2 months',
        CASE WHEN closed_at IS NOT NULL THEN received_at + random() * interval '80 days' END,
        received_at
    FROM referrals_referral WHERE reference LIKE 'B%%' AND outcome = 's42_met'
    """,
    """
    INSERT INTO feedback_feedbackrecord (referral_id, kind, outcome_text, reason, signposting,
        withheld, withheld_reason, created_at, given_at, given_by_phone, phone_summary)
    SELECT id, 'decision', 'Decided.', '', '', false, '', received_at,
        CASE WHEN random() < 0.97 THEN received_at + random() * interval '48 hours' END,
        id %% 10 = 0, ''
    FROM referrals_referral WHERE reference LIKE 'B%%' AND outcome <> ''
    """,
    """
    INSERT INTO feedback_notice (kind, recipient_email, channel, status, subject, body,
        created_at, sent_at, attempts, last_error, provider_reference, referral_id)
    SELECT 'feedback:decision', 'bench@example.org', c.channel, 'sent', 'Update', 'Update',
        f.given_at, f.given_at, 1, '', '', f.referral_id
    FROM feedback_feedbackrecord f
    JOIN referrals_referral r ON r.id = f.referral_id AND r.reference LIKE 'B%%',
    LATERAL (VALUES ('portal'), (CASE WHEN f.referral_id %% 2 = 0 THEN 'email'
                                      ELSE 'notify' END)) c(channel)
    WHERE f.given_at IS NOT NULL AND NOT f.given_by_phone
    """,
]

TABLES = ["referrals_referral", "pathways_deadline", "referrals_referralevent",
          "feedback_feedbackrecord", "feedback_notice"]


class Command(BaseCommand):
    help = "Seed synthetic referrals (scratch PostgreSQL only) and time every dashboard figure."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=0, help="Referrals to add first.")
        parser.add_argument("--scratch-database", action="store_true",
                            help="Confirm the database is a throwaway one (needed to seed).")
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--no-rebuild", action="store_true",
                            help="Time against the summaries as they are.")
        parser.add_argument("--live", action="store_true",
                            help="Time the live queries for staff too (slow at 1M).")

    def handle(self, *args, seed, scratch_database, repeat, live, no_rebuild, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL (set DATABASE_URL).")
        if seed:
            if not scratch_database:
                raise CommandError("Seeding writes synthetic rows: pass --scratch-database.")
            self._seed(seed)
        from dashboard.refresh import summaries_rebuild

        if not no_rebuild:
            refresh = summaries_rebuild(now=timezone.now())
            self.stdout.write(f"Summaries rebuilt in {refresh.seconds:.1f} s "
                              f"({refresh.referral_rows:,} referral cube rows, "
                              f"{refresh.clock_rows:,} clock cube rows).")
        self._time(repeat, live)

    def _seed(self, n):
        referrer, _ = User.objects.get_or_create(email="bench.referrer@example.org",
                                                 defaults={"full_name": "Bench Referrer"})
        org_ids = []
        for sector in Sector.values:
            org, _ = Organisation.objects.get_or_create(name=f"Bench {sector}",
                                                        defaults={"sector": sector})
            org_ids.append(org.pk)
        orgs = "ARRAY[" + ",".join(str(i) for i in org_ids) + "]::bigint[]"
        params = {"orgs": orgs, "org_slots": len(org_ids) + 1, "referrer": referrer.pk, "n": n}
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in SEED_SQL:
                started = time.perf_counter()
                cursor.execute(sql % params)
                self.stdout.write(f"  {cursor.rowcount:>9,} rows in "
                                  f"{time.perf_counter() - started:6.1f} s: "
                                  f"{' '.join(sql.split()[:3])} ...")
        from pathways.deadlines import next_clock_sql

        with connection.cursor() as cursor:
            # As the deadline services would: each referral's next clock, for the triage queue.
            cursor.execute(next_clock_sql("reference LIKE 'B%'"))
            for table in TABLES:
                cursor.execute(f"ANALYZE {table}")  # noqa: S608 - fixed names

    def _time(self, repeat, live):
        from dashboard.figures import SLUGS, Context, allowed, relevant
        from dashboard.scope import Scope

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM referrals_referral")
            total = cursor.fetchone()[0]
        now = timezone.now()
        admin = Scope(role=Role.COUNCIL_ADMIN)
        manager = Scope(role=Role.TEAM_MANAGER, pathway="mash", team_name="MASH")
        lead_org = Organisation.objects.filter(name="Bench voluntary").first()
        lead = Scope(role=Role.ORGANISATION_LEAD, organisation_id=lead_org.pk if lead_org else 0,
                     organisation_name="Bench voluntary")
        self.stdout.write(f"{total:,} referrals. Best of {repeat}, seconds per figure:")
        base = {"pathway": None, "sector": None, "category": None, "urgency": None}
        cases = [
            ("admin, 12 months, monthly", admin, {"grain": "month", "months": 12}),
            ("admin, 12 months, weekly", admin, {"grain": "week", "months": 12}),
            ("manager (MASH), 12 months", manager, {"grain": "month", "months": 12}),
            ("lead (one org), 12 months", lead, {"grain": "month", "months": 12}),
            ("admin, 3 months, category", admin,
             {"grain": "month", "months": 3, "category": "physical"}),
        ]
        for label, scope, filters in cases:
            page = 0.0
            ctx = Context(scope=scope, filters={**base, **filters}, now=now,
                          use_summary=not live)
            self.stdout.write(f"\n{label} ({'summary' if ctx.summary else 'live'})")
            best = self._best(repeat, lambda ctx=ctx: Context(
                scope=ctx.scope, filters=ctx.filters, now=ctx.now,
                use_summary=ctx.use_summary).categories())
            page += best
            self.stdout.write(f"  {'categories (filter choices)':32} {best:7.3f}")
            for slug, builder in SLUGS.items():
                if not (allowed(ctx, builder) and relevant(ctx, builder)):
                    continue
                best = self._best(repeat, lambda b=builder, ctx=ctx: b(ctx))
                page += best
                self.stdout.write(f"  {slug:32} {best:7.3f}")
            self.stdout.write(f"  {'whole page (sum)':32} {page:7.3f}")

    @staticmethod
    def _best(repeat, fn):
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return min(times)
