"""`python -m bench`: seed, serve, load and print the performance table (docs/performance.md).

    . .venv/bin/activate && python -m bench                 # 10k, 100k, 1M referrals
    python -m bench --tiers 2000,10000 --repeats 2 --seconds 3   # a quick look

Needs PostgreSQL (BENCH_PG, default postgres://postgres@127.0.0.1:5432; the database is
portal_bench, recreated each run), Redis (BENCH_REDIS_URL, default db 8) and Debian's wrk
(`apt-get install wrk`). All traffic stays on 127.0.0.1.
"""

import argparse
import os
import signal
import sys
import time

from .env import ROOT, bench_environ


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiers", default="10000,100000,1000000",
                        help="referral counts, ascending (default 10000,100000,1000000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--seconds", type=float, default=5, help="seconds per load run")
    parser.add_argument("--connections", type=int, default=2, help="wrk connections")
    parser.add_argument("--workers", type=int, default=0,
                        help="gunicorn workers (default 2 x cores + 1)")
    parser.add_argument("--tasks", type=int, default=10000,
                        help="notices drained and no-op tasks run (default 10000)")
    parser.add_argument("--task-repeats", type=int, default=1,
                        help="runs of the Celery pair (each is already over --tasks tasks; "
                             "default 1 to stay inside 30 minutes)")
    parser.add_argument("--pgoptions", default="",
                        help='PGOPTIONS for every process, e.g. "-c jit=off" to try a server '
                             "setting without touching the code")
    parser.add_argument("--db", default="portal_bench", help="database name (portal_bench*)")
    parser.add_argument("--keep-db", action="store_true", help="leave the database afterwards")
    parser.add_argument("--json", default=str(ROOT / "var" / "bench" / "last-run.json"),
                        help="where to write the results as JSON")
    args = parser.parse_args(argv)
    args.tiers = sorted({int(t.replace("_", "")) for t in args.tiers.split(",") if t.strip()})
    if not args.db.startswith("portal_bench"):
        parser.error("--db must start with portal_bench")
    if not args.workers:
        args.workers = 2 * (os.cpu_count() or 1) + 1
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    environ = {**os.environ, **bench_environ(args.db)}
    if args.pgoptions:
        environ["PGOPTIONS"] = args.pgoptions
    os.environ.update(environ)
    sys.path.insert(0, str(ROOT))
    from .run import BenchRun

    def stop(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stop)  # clean up (gunicorn, worker, database) on kill too
    started = time.monotonic()
    run = BenchRun(args, environ)
    try:
        run.execute()
    finally:
        run.shutdown()
    print(run.report.render())
    print(f"\nWhole run: {(time.monotonic() - started) / 60:.1f} minutes. JSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
