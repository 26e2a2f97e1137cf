"""How fast the clocks are: compute() per rule, and one sweep over many due deadlines.

    DATABASE_URL=postgres://... DEBUG=true python bench/bench_clocks.py [--deadlines 2000]

The sweep part writes into the database inside one transaction and rolls it back at the end,
so it leaves nothing behind (run it against a development database, never production).
"""

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def bench_compute(samples: int) -> None:
    from pathways.calendar import WorkingCalendar
    from pathways.clocks import DEFAULT_RULES, compute

    calendar = WorkingCalendar()
    rng = random.Random(5)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    starts = [base + timedelta(minutes=rng.randrange(0, 60 * 24 * 365 * 2)) for _ in range(samples)]
    for (kind, variant), rule in DEFAULT_RULES.items():
        began = time.perf_counter()
        for start in starts:
            compute(rule, start, calendar)
        per_call = (time.perf_counter() - began) / samples * 1e6
        print(f"compute {kind:16} {variant:5}  {per_call:7.1f} us per call")


def bench_sweep(count: int) -> None:
    import django

    django.setup()
    from django.db import transaction

    from accounts.models import Team, User
    from pathways.clocks import default_rule
    from pathways.models import Deadline
    from pathways.policies import rule_to_json
    from referrals.models import Referral
    from referrals.sweep import deadlines_sweep

    with transaction.atomic():
        user = User.objects.create_user(email="bench@example.org", full_name="Bench")
        team = Team.objects.get(pathway="oppd")
        referrals = Referral.objects.bulk_create(
            Referral(reference=f"BENCH{i:06d}", pathway="oppd", team=team, referrer=user)
            for i in range(count)
        )
        start = datetime(2026, 3, 2, 10, tzinfo=UTC)
        Deadline.objects.bulk_create(
            Deadline(
                referral=r, kind="concern_decision", starts_at=start,
                warning_at=start + timedelta(hours=5), due_at=start + timedelta(hours=7),
                rule=rule_to_json(default_rule("concern_decision")),
            )
            for r in referrals
        )
        began = time.perf_counter()
        quiet = deadlines_sweep(now=start + timedelta(hours=1))
        quiet_ms = (time.perf_counter() - began) * 1000
        began = time.perf_counter()
        report = deadlines_sweep(now=start + timedelta(hours=8), max_batches=10**6)
        busy = time.perf_counter() - began
        transaction.set_rollback(True)
    print(f"sweep with {count} deadlines, none due: {quiet_ms:.1f} ms ({quiet.as_dict()})")
    print(
        f"sweep breaching {report.breached}: {busy:.2f} s, "
        f"{busy / max(report.breached, 1) * 1000:.2f} ms per breach (notices {report.notices})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--deadlines", type=int, default=2000)
    args = parser.parse_args()
    bench_compute(args.samples)
    if os.environ.get("DATABASE_URL"):
        bench_sweep(args.deadlines)
    else:
        print("sweep: set DATABASE_URL to a development PostgreSQL database to measure it")
