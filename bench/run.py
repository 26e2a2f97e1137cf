"""One benchmark run: seed each tier, load the pages, drain the outbox, sweep the clocks."""

import json
import os
import platform
import statistics
import subprocess
import time
from pathlib import Path

from . import db, load, procs
from .env import REDIS_URL, ROOT
from .features import Unavailable, url
from .report import Report

IDLE_SETTLE_SECONDS = 1.0


class BenchRun:
    def __init__(self, args, environ: dict[str, str]):
        self.args = args
        self.environ = environ
        self.report = Report()
        self.web: procs.Service | None = None
        self.worker: procs.Service | None = None
        self.results: dict = {}
        self.reasons: dict = {}
        self.base_url = ""
        self.log_dir = ROOT / "var" / "bench" / "logs"

    # ----------------------------------------------------------------------------- the run
    def execute(self) -> None:
        self.preflight()
        self.report.machine = machine_facts()
        if self.args.pgoptions:
            self.report.machine["PGOPTIONS"] = self.args.pgoptions
        print("Machine:", self.report.machine, flush=True)
        started = time.monotonic()
        db.database_recreate(self.args.db)
        db.migrate(self.environ)
        self.report.figure("fresh database and migrations",
                           f"{time.monotonic() - started:.1f} s ({self.args.db})")
        import django

        django.setup()
        from django.db import connection
        from django.utils import timezone

        from . import seed

        self.seed = seed
        signed_in_cache_clear()
        self.now = timezone.now()
        with connection.cursor() as cursor:
            # The seeder's own session only: bulk loading need not wait for each WAL flush.
            cursor.execute("SET synchronous_commit = off")
        self.people = seed.people_ensure(self.now)
        for tier in self.args.tiers:
            started = time.monotonic()
            seed.referrals_grow(self.people, to=tier, now=self.now)
            seeded = time.monotonic() - started
            seed.vacuum_analyze()
            self.summaries_refresh(tier)
            counts = seed.table_counts()
            self.report.figure(
                f"seed to {tier:,} referrals",
                f"{seeded:.1f} s insert + {time.monotonic() - started - seeded:.1f} s vacuum; "
                + ", ".join(f"{k.split('.')[-1]} {v:,}" for k, v in counts.items()),
            )
            if self.web is None:
                self.web_start()
            self.sessions_refresh()
            self.tier_pages(tier)
        largest = self.args.tiers[-1]
        for phase, key in ((self.audit_pages, "audit"), (self.pdf_figures, "pdf"),
                           (self.submission, "submission"), (self.tasks_phase, "drain"),
                           (self.sweep_phase, "sweep"),
                           (self.retention_under_load, "retention")):
            self.guarded(phase, key, largest)
        self.memory_figures()
        self.rows_build()

    def guarded(self, phase, key, tier) -> None:
        """A feature that breaks under load costs its own rows, not the whole run."""
        import traceback

        try:
            phase(tier) if phase != self.tasks_phase else phase()
        except Exception as exc:
            self.reasons.setdefault(key, f"failed: {type(exc).__name__}: {exc}"[:300])
            self.report.figure(key, self.reasons[key])
            self.log_dir.mkdir(parents=True, exist_ok=True)
            with (self.log_dir / "errors.log").open("a") as log:
                log.write(traceback.format_exc() + "\n")

    def summaries_refresh(self, tier: int) -> None:
        """The dashboard reads summary tables that beat rebuilds every 15 minutes: rebuild
        them once after seeding, as beat would (a catch-up over every referral the tier
        added), then time what beat does every 15 minutes in steady state: a rebuild with
        nothing changed, and one after 100 of the latest referrals changed."""
        from .features import attribute

        try:
            rebuild = attribute("dashboard.refresh.summaries_rebuild")
        except Unavailable:
            return
        from django.db import connection
        from django.utils import timezone

        def timed() -> str:
            started = time.monotonic()
            refresh = rebuild(now=timezone.now())
            mode = getattr(refresh, "mode", "full")
            return f"{time.monotonic() - started:.1f} s ({mode})"

        self.report.figure(f"dashboard summaries rebuild at {tier:,}",
                           f"{timed()} after seeding (beat runs it every 15 minutes)")
        try:
            attribute("dashboard.models.DirtyReferral")
        except Unavailable:
            return  # a dashboard without incremental rebuilds
        self.report.figure(f"dashboard summaries rebuild at {tier:,}, nothing changed", timed())
        with connection.cursor() as cursor:
            # As the triggers would record 100 referrals given feedback (so the feedback-time
            # percentiles are sorted again too).
            cursor.execute("INSERT INTO dashboard_dirtyreferral (referral_id) SELECT referral_id "
                           "FROM feedback_feedbackrecord WHERE given_at IS NOT NULL "
                           "ORDER BY given_at DESC LIMIT 100")
        self.report.figure(f"dashboard summaries rebuild at {tier:,}, 100 referrals changed",
                           timed())

    def shutdown(self) -> None:
        for service in (self.web, self.worker):
            if service is not None:
                service.stop()
        Path(self.args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(self.args.json).write_text(self.report.to_json())
        if not self.args.keep_db:
            try:
                db.database_drop(self.args.db)
            except Exception as exc:  # leave it for the next run's recreate
                print(f"Could not drop {self.args.db}: {exc}")

    def preflight(self) -> None:
        import redis

        if not load.wrk_available():
            raise SystemExit("wrk is missing: apt-get install wrk (Debian's load generator).")
        redis.Redis.from_url(REDIS_URL).ping()

    # ------------------------------------------------------------------------ processes
    def web_start(self) -> None:
        port = procs.free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.web = procs.gunicorn(self.environ, port=port, workers=self.args.workers,
                                  log=self.log_dir / "gunicorn.log")
        self.web.start()
        procs.wait_http(self.base_url + "/")
        self.report.note(f"gunicorn: {self.args.workers} sync workers on 127.0.0.1:{port}; "
                         f"wrk: 1 thread, {self.args.connections} connections, "
                         f"{self.args.seconds:g} s per run, {self.args.repeats} runs per figure")

    def worker_start(self) -> None:
        self.worker = procs.celery_worker(self.environ, concurrency=2,
                                          log=self.log_dir / "celery.log")
        self.worker.start()

    def sessions_refresh(self) -> None:
        """New sessions per tier: the security middleware ends idle sessions after 30 min."""
        from .session import otp_available, session_create

        p = self.people
        self.staff = session_create(p.staff_ids["oppd"])
        self.manager = session_create(p.manager_ids["oppd"])
        self.admin = session_create(p.admin_id)
        self.referrer = session_create(p.referrer_ids[0])
        if "session" not in self.results:
            self.results["session"] = True
            self.report.note("sessions written to the session store directly"
                             + ("; marked OTP-verified (django-otp static device)"
                                if otp_available() else "; no mfa app on this branch"))

    # ---------------------------------------------------------------------- measurement
    def measure(self, key, paths, session, **options):
        try:
            summary = load.measure(self.base_url, paths, headers=session.headers,
                                   repeats=self.args.repeats, seconds=self.args.seconds,
                                   connections=options.pop("connections", self.args.connections),
                                   **options)
        except load.LoadError as exc:
            self.reasons[key] = f"load run failed: {exc}"
            self.report.figure(" ".join(map(str, key)), self.reasons[key])
            return None
        self.results[key] = summary
        self.report.figure(" ".join(map(str, key)), summary.describe())
        self.sample_memory()
        return summary

    def sample_pks(self, count: int = 40) -> list[int]:
        """Open referrals of the OPPD team, spread over the whole id range."""
        from django.db import connection

        from core.vocabulary import Status

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM referrals_referral WHERE team_id = %s AND status = ANY(%s) "
                "ORDER BY bench_u(id, 99) LIMIT %s",
                [self.people.team_ids["oppd"], list(Status.open()), count],
            )
            return [row[0] for row in cursor.fetchall()]

    def measure_many(self, specs) -> None:
        """Measure several figures round-robin (A B C, A B C, ...): on a shared machine a
        burst of someone else's work then lands on every figure of a ratio alike.

        specs: (key, paths, session, options) with paths a list, or Unavailable.
        """
        live = []
        for key, paths, session, options in specs:
            if isinstance(paths, Unavailable):
                self.reasons[key] = str(paths)
                self.report.figure(_name(key), f"not available: {paths}")
                continue
            options = {"connections": self.args.connections, "seconds": self.args.seconds,
                       **options}
            try:
                load.run_once(self.base_url, paths, headers=session.headers,
                              **{**options, "seconds": load.WARMUP_SECONDS},
                              time_one_if_none=False)
            except load.LoadError as exc:
                self.reasons[key] = f"load run failed: {exc}"
                self.report.figure(_name(key), self.reasons[key])
                continue
            live.append((key, paths, session, options, []))
        for _ in range(self.args.repeats):
            for key, paths, session, options, runs in live:
                if key in self.reasons:
                    continue
                if runs and runs[-1].single and runs[-1].p50_ms > load.ONCE_IS_ENOUGH_MS:
                    continue
                try:
                    runs.append(load.run_once(self.base_url, paths, headers=session.headers,
                                              **options))
                except load.LoadError as exc:
                    self.reasons[key] = f"load run failed: {exc}"
            self.sample_memory()
        for key, _paths, _session, _options, runs in live:
            if key in self.reasons:
                self.report.figure(_name(key), self.reasons[key])
                continue
            self.results[key] = load.Summary(runs)
            self.report.figure(_name(key), self.results[key].describe())

    def path_or_reason(self, name: str, *args) -> list[str] | Unavailable:
        try:
            return [url(name, *args)]
        except Unavailable as exc:
            return exc

    def tier_pages(self, tier: int) -> None:
        print(f"\n== pages at {tier:,} referrals", flush=True)
        self.pks = self.sample_pks()
        dashboard_session = self.dashboard_session()
        self.measure_many([
            # The floor under the floor (issue 19): no middleware, no session, no transaction.
            (("bare", tier), [f"/bench/bare/{pk}/" for pk in self.pks], self.staff, {}),
            (("minimal", tier), [f"/bench/minimal/{pk}/" for pk in self.pks], self.staff, {}),
            (("queue", tier), self.path_or_reason("triage:queue"), self.staff, {}),
            (("admin", tier), ["/bench/admin/referrals/referral/"], self.admin, {}),
        ])
        # Alone, after the others: a page that takes many seconds would still be running on
        # the server (after its warm-up run ends) while the next figure is measured.
        self.measure_many([
            (("dashboard", tier), self.path_or_reason("dashboard:index"), dashboard_session, {}),
        ])

    def dashboard_session(self):
        """The team manager if the dashboard lets them in, else the council administrator."""
        import urllib.request

        try:
            path = url("dashboard:index")
        except Unavailable:
            return self.manager
        request = urllib.request.Request(self.base_url + path, headers=self.manager.headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                if response.status == 200 and not response.geturl().endswith("/sign-in/"):
                    return self.manager
        except OSError:
            pass  # no manager session could be made: measure as the administrator
        return self.admin

    def audit_pages(self, tier: int) -> None:
        print(f"\n== referral page with and without its audit write ({tier:,})", flush=True)
        try:
            with_audit = [url("triage:referral", pk) for pk in self.pks]
        except Unavailable as exc:
            self.reasons["audit"] = str(exc)
            return
        without = [f"/bench/referral-without-audit/{pk}/" for pk in self.pks]
        self.measure_many([
            (("referral page with audit", tier), with_audit, self.staff, {}),
            (("referral page without audit", tier), without, self.staff, {}),
            # The staff referral page against the minimal view, in the same rounds (issue 19).
            (("minimal beside the referral page", tier),
             [f"/bench/minimal/{pk}/" for pk in self.pks], self.staff, {}),
        ])

    def pdf_figures(self, tier: int) -> None:
        """Referral PDFs are rendered by the worker and cached per version (issue 19): time from
        the first request to the file, the served file's response time, and the queue while a
        client asks for PDFs of referrals not yet rendered (so the worker is rendering)."""
        print(f"\n== referral PDF ({tier:,})", flush=True)
        from .scenarios import pdf_cache_clear, pdf_ready_times

        try:
            url("referrals:pdf", 1)
        except Unavailable as exc:
            self.reasons["pdf"] = str(exc)
            return
        started_here = self.worker is None
        if started_here:
            self.worker_start()
        try:
            self.pdf_measure(tier, pdf_cache_clear, pdf_ready_times)
        finally:
            if started_here:  # the phases after ran without a worker before PDFs needed one
                self.worker.stop()
                self.worker = None

    def pdf_measure(self, tier, pdf_cache_clear, pdf_ready_times) -> None:
        pdf_cache_clear()
        paths = [url("referrals:pdf", pk) for pk in self.pks[:20]]
        try:
            ready = pdf_ready_times(self, paths)
            run = load.run_once(self.base_url, paths, headers=self.staff.headers,
                                seconds=60, connections=1, max_requests=len(paths))
        except (load.LoadError, TimeoutError) as exc:
            self.reasons["pdf"] = f"PDF requests failed: {exc}"
            return
        self.results["pdf"] = run
        self.report.figure("referral PDF, first request to the file (worker renders it)",
                           f"median {statistics.median(ready):.0f} ms, max {max(ready):.0f} ms "
                           f"over {len(ready)} PDFs")
        self.report.figure("referral PDF response once rendered (cached), one at a time",
                           f"median {run.p50_ms:.0f} ms, p95 {run.p95_ms:.0f} ms over "
                           f"{run.requests} PDFs")
        # The queue while PDFs render: the worker rendering 200 PDFs (their copies cleared
        # before each loaded run), as it would after as many people asked for one. The web's
        # part of a PDF is now the small page above; the rendering is what could crowd out staff.
        queue = self.queue_path()
        if queue is None:
            return
        from .scenarios import pdf_render_command

        command = pdf_render_command(self.sample_pks(200))
        self.loaded_queue("pdf", tier, queue, background_command=command,
                          before_loaded=pdf_cache_clear)

    def queue_path(self):
        try:
            return url("triage:queue")
        except Unavailable as exc:
            self.reasons["queue"] = str(exc)
            return None

    def loaded_queue(self, what: str, tier: int, queue: str, background_paths=None,
                     background_command=None, before_loaded=None) -> None:
        """Queue p95 idle and with a background load, alternating run by run."""
        idle_key, loaded_key = ("queue idle before", what, tier), ("queue while", what, tier)
        idle, loaded, outputs = [], [], []
        options = {"headers": self.staff.headers, "seconds": self.args.seconds,
                   "connections": self.args.connections}
        try:
            load.run_once(self.base_url, [queue], **{**options, "seconds": load.WARMUP_SECONDS},
                          time_one_if_none=False)
            for _ in range(self.args.repeats):
                idle.append(load.run_once(self.base_url, [queue], **options))
                if before_loaded is not None:
                    before_loaded()
                if background_paths is not None:
                    background = load.start_background(
                        self.base_url, background_paths, headers=self.staff.headers,
                        seconds=self.args.seconds + 3)
                else:
                    background = subprocess.Popen(
                        background_command, cwd=ROOT, env=self.environ,
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                try:
                    time.sleep(IDLE_SETTLE_SECONDS)
                    loaded.append(load.run_once(self.base_url, [queue], **options))
                    busy = background.poll() is None  # still working when we finished?
                finally:
                    if background.poll() is None:
                        background.terminate()
                    output, _ = background.communicate(timeout=120)
                outputs.append((busy, (output or "")[-800:]))
                self.sample_memory()
        except load.LoadError as exc:
            self.reasons[loaded_key] = f"load run failed: {exc}"
            self.report.figure(_name(loaded_key), self.reasons[loaded_key])
            return
        self.results[idle_key] = load.Summary(idle)
        self.results[loaded_key] = load.Summary(loaded)
        self.results[("background", what)] = outputs
        self.report.figure(_name(idle_key), self.results[idle_key].describe())
        self.report.figure(_name(loaded_key), self.results[loaded_key].describe())
        if background_command is not None and not all(busy for busy, _ in outputs):
            self.report.note(f"{what} finished before some loaded runs ended: those runs were "
                             "partly idle (the figure flatters it)")

    def submission(self, tier: int) -> None:
        print(f"\n== submission throughput and the bare insert ({tier:,})", flush=True)
        from .scenarios import submission_measure

        submission_measure(self, tier)

    def tasks_phase(self) -> None:
        print(f"\n== Celery: {self.args.tasks:,} no-op tasks and an outbox drain", flush=True)
        from .scenarios import noop_run, outbox_drain_run, outbox_feature, purge_broker

        purge_broker()  # submissions queued notice_send tasks
        if self.worker is None:
            self.worker_start()
        try:
            noop_run(self, 200)  # warm-up; also waits for the worker to be ready
        except TimeoutError as exc:
            self.reasons["noop"] = self.reasons["drain"] = f"the Celery worker did not run: {exc}"
            return
        try:
            send = outbox_feature()
        except Unavailable as exc:
            send = None
            self.reasons["drain"] = str(exc)
        noop_times, drain_times = [], []
        for _ in range(self.args.task_repeats):
            noop_times.append(noop_run(self, self.args.tasks))
            self.sample_memory()
            if send is not None:
                try:
                    drain_times.append(outbox_drain_run(self, send, self.args.tasks))
                except (TimeoutError, Unavailable) as exc:
                    self.reasons["drain"] = f"outbox drain did not finish: {exc}"
                    send = None
                self.sample_memory()
        self.results["noop"] = statistics.median(noop_times)
        self.report.figure(f"{self.args.tasks:,} no-op tasks",
                           f"median {self.results['noop']:.1f} s ({_list(noop_times)})")
        if drain_times and "drain" not in self.reasons:
            self.results["drain"] = statistics.median(drain_times)
            self.report.figure(f"outbox drain of {self.args.tasks:,} notices",
                               f"median {self.results['drain']:.1f} s ({_list(drain_times)})")

    def sweep_phase(self, tier: int) -> None:
        print(f"\n== deadline sweep over {tier:,} open referrals", flush=True)
        if self.worker is not None:
            self.worker.stop()  # the sweep runs alone; its queued notices are purged
        from .scenarios import sweep_measure

        try:
            sweep_measure(self, tier)
        except Unavailable as exc:
            self.reasons["sweep"] = str(exc)
            self.report.figure("sweep", f"not available: {exc}")

    def retention_under_load(self, tier: int) -> None:
        print(f"\n== the queue while retention runs ({tier:,})", flush=True)
        from .scenarios import retention_command

        queue = self.queue_path()
        try:
            command = retention_command(self)
        except Unavailable as exc:
            self.reasons["retention"] = str(exc)
            return
        if queue is not None:
            self.loaded_queue("retention", tier, queue, background_command=command)

    # ---------------------------------------------------------------------------- memory
    def sample_memory(self) -> None:
        for service in (self.web, self.worker):
            if service is not None:
                service.sample()

    def memory_figures(self) -> None:
        self.report.machine["load average at end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
        self.sample_memory()
        for service, label in ((self.web, "web (gunicorn)"), (self.worker, "worker (Celery)")):
            if service is None or not service.peaks:
                continue
            largest, total = service.peak_summary()
            self.report.figure(f"peak RSS {label}",
                               f"largest process {largest:.0f} MiB; all {len(service.peaks)} "
                               f"processes {total:.0f} MiB")

    # ------------------------------------------------------------------------------ rows
    def rows_build(self) -> None:
        from .scenarios import rows

        self.report.rows = rows(self)


def signed_in_cache_clear() -> None:
    """The database was just recreated: person ids start again, so what the signed-in cache
    (portal/signed_in.py) holds from an earlier run must go (only its keys: the bench's Redis
    db also holds the broker's queues)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match="signed-in:*", count=1000):
        client.delete(key)


def machine_facts() -> dict[str, str]:
    def sh(command: str) -> str:
        return subprocess.run(command, shell=True, capture_output=True, text=True).stdout.strip()

    memory = sh("free -h | awk '/^Mem:/ {print $2}'")
    return {
        "nproc": sh("nproc"),
        "memory": memory,
        "PostgreSQL": db.server_version(),
        "Python": platform.python_version(),
        "kernel": platform.release(),
        "wrk": sh("wrk -v 2>&1 | head -1").split(" [")[0],
        # Other work on the machine skews absolute times (ratios are measured run by run).
        "load average at start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def _name(key) -> str:
    return " ".join(f"{k:,}" if isinstance(k, int) else str(k) for k in key)


def _list(values) -> str:
    return ", ".join(f"{v:.1f}" for v in values) + " s"


def dump(value) -> str:
    return json.dumps(value, default=str)
