"""The deadline sweep against its fair floor (`scenarios.fair_baseline`) on a backlog, alone.

    DATABASE_URL is ignored: the database is BENCH_PG/<--db> (portal_bench*, created and seeded
    unless --reuse), Redis from BENCH_REDIS_URL.

    python -m bench.profile_sweep --db portal_bench_sweep --tier 100000 --overdue 0.018
    python -m bench.profile_sweep --db portal_bench_sweep --reuse --repeats 3 --profile

Every clock of the tier is made open with due times spread over 120 days, `--overdue` of them
already due (0.018 at 100k: about 2,000 clocks due or in warning), none recorded; then, `--repeats`
times: the sweep with no batch limit, a second sweep (must change nothing), reset, the fair
floor in one transaction, reset. `--profile` prints a cProfile of one more sweep.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time

from .env import ROOT, bench_environ


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_sweep")
    parser.add_argument("--db", default="portal_bench_sweep")
    parser.add_argument("--tier", type=int, default=100_000)
    parser.add_argument("--overdue", type=float, default=0.018)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="the database is already seeded")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    if not args.db.startswith("portal_bench"):
        parser.error("--db must start with portal_bench")
    os.environ.update(bench_environ(args.db))
    sys.path.insert(0, str(ROOT))
    from . import db

    if not args.reuse:
        db.database_recreate(args.db)
        db.migrate({**os.environ})
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from referrals.sweep import deadlines_sweep

    from . import scenarios, seed

    now = timezone.now()
    if not args.reuse:
        began = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        people = seed.people_ensure(now)
        seed.referrals_grow(people, to=args.tier, now=now)
        seed.vacuum_analyze()
        print(f"seeded {args.tier:,} referrals in {time.monotonic() - began:.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = on")
    seed.functions_ensure()
    running, open_count, due_count = scenarios.sweep_clocks_prepare(now, overdue=args.overdue)
    print(f"{open_count:,} open clocks, {due_count:,} due or in warning", flush=True)
    marks = scenarios._marks()
    sweeps, floors = [], []
    for _ in range(args.repeats):
        scenarios.purge_broker()
        began = time.monotonic()
        first = deadlines_sweep(now=now, max_batches=10**9)
        sweeps.append(time.monotonic() - began)
        changed = scenarios._changed(running)
        again = deadlines_sweep(now=now, max_batches=10**9)
        second = again.warned + again.breached + again.pickup_alerts + again.notices
        second += scenarios._changed(running) - changed
        scenarios._sweep_reset(marks)
        began = time.monotonic()
        with transaction.atomic():
            fair = scenarios.fair_baseline(now, running)
        floors.append(time.monotonic() - began)
        scenarios._sweep_reset(marks)
        print(f"sweep {sweeps[-1]:.2f} s ({first.as_dict()}, second sweep changed {second}); "
              f"floor {floors[-1]:.2f} s ({fair})", flush=True)
    scenarios.purge_broker()
    sweep_s, floor_s = statistics.median(sweeps), statistics.median(floors)
    print(f"median: sweep {sweep_s:.2f} s, floor {floor_s:.2f} s, ratio {sweep_s / floor_s:.1f}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        deadlines_sweep(now=now, max_batches=10**9)
        profiler.disable()
        scenarios._sweep_reset(marks)
        scenarios.purge_broker()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    return 0


if __name__ == "__main__":
    sys.exit(main())
