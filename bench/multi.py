"""`./scripts/bench --topology multi`: the fault scenario on more than one of everything (issue 19).

    python -m bench.multi                  # about 6 minutes: set-up, 150 s of load, drain
    python -m bench.multi --seconds 90     # shorter load

On loopback, all started (and stopped) by this script:
- PostgreSQL: a primary and a streaming replica, their own clusters in a temporary directory
  (bench/multi_pg.py); the dashboard reads from the replica (core/replica.py);
- web: two gunicorn instances behind Debian's HAProxy (health checks on /healthz, a refused
  connection re-dispatched to the other instance), sessions and cache in Redis;
- two Celery workers and two beats with celery-redbeat's lock.
While referrers submit, staff read the queue and referral pages, managers read the dashboard
and the sweep and the outbox run, it SIGKILLs one web instance, one worker and the beat leader,
and restarts each. It reports requests failed (only those in flight on the killed instance may
fail), referrals lost, notices lost or sent twice, breaches recorded twice and how long beat
was without a leader. Redis: BENCH_MULTI_REDIS_URL (default db 9, flushed at start).
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .env import ROOT, bench_environ

REDIS_URL = os.environ.get("BENCH_MULTI_REDIS_URL", "redis://127.0.0.1:6379/9")
DB_NAME = "portal_bench_multi"
LOG_DIR = ROOT / "var" / "bench" / "multi"
PLANTED_CLOCKS = 300
DRAFTS = 3000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.multi", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=150, help="seconds of load (>= 90)")
    parser.add_argument("--referrals", type=int, default=20000, help="referrals seeded")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers each")
    parser.add_argument("--drain", type=float, default=150,
                        help="at most this many seconds for the outbox to drain afterwards")
    parser.add_argument("--json", default=str(LOG_DIR / "last-run.json"))
    args = parser.parse_args(argv)
    args.seconds = max(args.seconds, 90)
    return args


# --------------------------------------------------------------------------------- load
@dataclass
class Outcome:
    role: str
    started: float
    ended: float
    ok: bool
    status: int | str
    server: str = ""


@dataclass
class Load:
    base_port: int
    sessions: dict
    paths: dict
    drafts: list[int]
    stop: threading.Event = field(default_factory=threading.Event)
    outcomes: list[Outcome] = field(default_factory=list)
    submitted: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, conn_box: list, role: str, method: str, path: str, session,
                expect: int, body: str | None = None):
        import http.client

        headers = dict(session.headers)
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        status, server = "", ""
        try:
            if conn_box[0] is None:
                conn_box[0] = http.client.HTTPConnection("127.0.0.1", self.base_port,
                                                         timeout=60)
            conn = conn_box[0]
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status, server = response.status, response.getheader("X-Served-By", "")
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn_box[0] = None
        except (OSError, http.client.HTTPException) as exc:
            status = type(exc).__name__
            if conn_box[0] is not None:
                conn_box[0].close()
            conn_box[0] = None
        outcome = Outcome(role, started, time.monotonic(), status == expect, status, server)
        with self.lock:
            self.outcomes.append(outcome)
        return outcome

    def referrer(self, index: int) -> None:
        box = [None]
        check = self.paths["check"]
        while not self.stop.is_set():
            with self.lock:
                if not self.drafts:
                    return
                pk = self.drafts.pop()
            outcome = self.request(box, "referrer", "POST", check.replace("/1/", f"/{pk}/", 1),
                                   self.sessions["referrer"], 302,
                                   body=f"submission_key={uuid.uuid4()}")
            if outcome.ok:
                with self.lock:
                    self.submitted.append(pk)
            time.sleep(0.3)

    def staff(self, index: int) -> None:
        box = [None]
        rng = random.Random(index)
        while not self.stop.is_set():
            if rng.random() < 0.3:
                self.request(box, "staff queue", "GET", self.paths["queue"],
                             self.sessions["staff"], 200)
            else:
                pk = rng.choice(self.paths["referral_pks"])
                self.request(box, "staff referral", "GET",
                             self.paths["referral"].replace("/1/", f"/{pk}/", 1),
                             self.sessions["staff"], 200)
            time.sleep(0.1)

    def manager(self, index: int) -> None:
        box = [None]
        while not self.stop.is_set():
            self.request(box, "manager dashboard", "GET", self.paths["dashboard"],
                         self.sessions["manager"], 200)
            time.sleep(0.5)

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.referrer, args=(i,), daemon=True)
                   for i in range(2)]
        threads += [threading.Thread(target=self.staff, args=(i,), daemon=True) for i in range(3)]
        threads += [threading.Thread(target=self.manager, args=(0,), daemon=True)]
        for thread in threads:
            thread.start()
        return threads


# ---------------------------------------------------------------------------- processes
HAPROXY = """
global
    maxconn 1000
defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    # A sync gunicorn worker answers the health check only between requests: on a loaded
    # machine a 1 s check timeout marks a healthy instance down.
    timeout check 5s
    retries 3
    option redispatch
backend portal
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
    http-response set-header X-Served-By %[srv_name]
{servers}
frontend web
    bind 127.0.0.1:{port}
    default_backend portal
"""


def lb_wait(url: str, names: set[str], *, timeout: float = 90) -> None:
    """Until every instance in `names` has answered 200 through the load balancer (its
    X-Served-By header, set in HAPROXY)."""
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    seen.add(response.headers.get("X-Served-By", ""))
        except OSError:
            pass  # 503 (no instance up yet) or not listening yet
        if names <= seen:
            return
        time.sleep(0.3)
    raise RuntimeError(f"the load balancer did not serve from {sorted(names - seen)} within "
                       f"{timeout:.0f} s (served by {sorted(seen)})")


class Topology:
    def __init__(self, args, environ):
        from . import procs

        self.procs = procs
        self.args = args
        self.environ = environ
        self.web_ports = {"web-a": procs.free_port(), "web-b": procs.free_port()}
        self.lb_port = procs.free_port()
        self.services: dict[str, procs.Service] = {}

    def service(self, name: str):
        procs = self.procs
        log = LOG_DIR / f"{name}.log"
        if name.startswith("web"):
            return procs.gunicorn(self.environ, port=self.web_ports[name],
                                  workers=self.args.web_workers, log=log)
        if name.startswith("worker"):
            command = ["nice", "-n", "10", sys.executable, "-m", "celery", "-A", "portal",
                       "worker", "--pool", "prefork", "--concurrency", "1", "--loglevel",
                       "WARNING", "--without-gossip", "--without-mingle",
                       "--hostname", f"{name}@%h"]
            return procs.Service(name, command, self.environ, log)
        if name.startswith("beat"):
            command = [sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel",
                       "INFO", "--scheduler", "redbeat.RedBeatScheduler", "--pidfile="]
            return procs.Service(name, command, {**self.environ, "LOG_LEVEL": "INFO"}, log)
        if name == "haproxy":
            config = LOG_DIR / "haproxy.cfg"
            servers = "\n".join(f"    server {n} 127.0.0.1:{p} check"
                                for n, p in self.web_ports.items())
            config.write_text(HAPROXY.format(servers=servers, port=self.lb_port))
            return procs.Service(name, ["haproxy", "-f", str(config), "-db"], self.environ, log)
        raise ValueError(name)

    def start(self, name: str) -> None:
        self.services[name] = self.service(name)
        self.services[name].start()

    def kill(self, name: str) -> tuple[float, float]:
        """SIGKILL the whole process group (gunicorn's or Celery's workers too): a crash.

        Returns when the signal was sent and when the last process of the group was gone: until
        then its listening socket may still accept a connection the load balancer sends it."""
        service = self.services[name]
        group = os.getpgid(service.process.pid)
        sent = time.monotonic()
        os.killpg(group, signal.SIGKILL)
        service.process.wait()
        while group_alive(group):
            time.sleep(0.005)
        return sent, time.monotonic()

    def stop_all(self) -> None:
        for service in self.services.values():
            try:
                service.stop()
            except ProcessLookupError:
                pass


def group_alive(group: int) -> bool:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] != "Z":
                return True
    return False


def log_count(name: str, text: str) -> int:
    path = LOG_DIR / f"{name}.log"
    try:
        return path.read_text(errors="replace").count(text)
    except OSError:
        return 0


# ----------------------------------------------------------------------------- the run
class MultiRun:
    def __init__(self, args):
        self.args = args
        self.figures: dict = {}
        self.events: list[tuple[float, str]] = []
        self.t0 = 0.0

    def note(self, text: str) -> None:
        at = time.monotonic() - self.t0 if self.t0 else 0.0
        self.events.append((at, text))
        print(f"[{at:6.1f} s] {text}", flush=True)

    def execute(self) -> None:
        from . import procs
        from .multi_pg import clusters_make

        LOG_DIR.mkdir(parents=True, exist_ok=True)
        for old in LOG_DIR.glob("*.log"):
            old.unlink()
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()  # this scenario's own Redis database
        self.clusters = clusters_make(procs.free_port(), procs.free_port())
        started = time.monotonic()
        self.clusters.start()
        self.figures["postgresql"] = (
            f"primary :{self.clusters.primary_port} and streaming replica "
            f":{self.clusters.replica_port} ({self.clusters.replication_state()}), made in "
            f"{time.monotonic() - started:.1f} s")
        print(self.figures["postgresql"], flush=True)
        self.environ = self.environment()
        os.environ.update(self.environ)
        self.database_prepare()
        self.topology = Topology(self.args, self.environ)
        for name in ("web-a", "web-b", "haproxy", "worker-a", "worker-b", "beat-a"):
            self.topology.start(name)
        time.sleep(2)  # beat-a takes the lock first: the leader is known before the kill
        self.topology.start("beat-b")
        for port in self.topology.web_ports.values():
            procs.wait_http(f"http://127.0.0.1:{port}/healthz")
        # Through the balancer, not just "it answers": HAProxy answers 503 until its health
        # checks have seen an instance up twice (rise 2), and marks an instance still booting
        # down first. Wait until both instances have served a request through it.
        lb_wait(f"http://127.0.0.1:{self.topology.lb_port}/healthz",
                set(self.topology.web_ports))
        self.preflight()
        self.scenario()
        self.results()

    def environment(self) -> dict[str, str]:
        environ = {**os.environ, **bench_environ(DB_NAME)}
        environ.update({
            "DATABASE_URL": self.clusters.url("primary", DB_NAME),
            "REPLICA_DATABASE_URL": self.clusters.url("replica", DB_NAME),
            "REPLICA_MAX_LAG_SECONDS": "5",
            "REPLICA_LAG_CHECK_SECONDS": "2",
            "REDIS_URL": REDIS_URL,
            "CELERY_BROKER_URL": REDIS_URL,
            "EMAIL_BACKEND": "bench.multi_mail.CountingBackend",
            # Faster than production so that a few minutes hold several of each: the sweep
            # and the requeue every 10 s, the heartbeat every 5 s, beat's lock 10 s.
            "MINUTE_SWEEPS_SECONDS": "10",
            "HEARTBEAT_SECONDS": "5",
            "REDBEAT_LOCK_TIMEOUT": "10",
            "BEAT_MAX_INTERVAL": "2",
            "NOTICE_REQUEUE_AFTER_MINUTES": "1",
            "DASHBOARD_REFRESH_SECONDS": "900",
            "LOG_FORMAT": "plain",
            "TRUSTED_PROXIES": "127.0.0.1",
            "PORTAL_VAR_DIR": str(LOG_DIR / "var"),
        })
        return environ

    # ------------------------------------------------------------------- data set-up
    def database_prepare(self) -> None:
        import psycopg2

        started = time.monotonic()
        conn = psycopg2.connect(self.clusters.url("primary", "postgres"))
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
        conn.close()
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                       cwd=ROOT, env=self.environ, check=True)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.db import connection
        from django.utils import timezone

        from dashboard.refresh import summaries_rebuild

        from . import seed
        from .session import session_create

        self.now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        self.people = seed.people_ensure(self.now)
        seed.referrals_grow(self.people, to=self.args.referrals, now=self.now)
        seed.vacuum_analyze()
        summaries_rebuild(now=timezone.now())
        self.drafts = self.drafts_make()
        self.planted = self.clocks_plant()
        p = self.people
        self.sessions = {"referrer": session_create(p.referrer_ids[0]),
                         "staff": session_create(p.staff_ids["oppd"]),
                         "manager": session_create(p.manager_ids["oppd"])}
        self.figures["data"] = (
            f"{self.args.referrals:,} referrals seeded, {len(self.drafts):,} complete drafts "
            f"to submit, {len(self.planted)} clocks falling due during the load; "
            f"{time.monotonic() - started:.0f} s")
        print(self.figures["data"], flush=True)

    def drafts_make(self) -> list[int]:
        """Complete drafts, cloned in SQL from one made through the referral services' steps
        (as the single-node submission figure does); each POST of its check page submits."""
        from django.db import connection

        from accounts.models import User
        from referrals.models import Referral
        from tests.referrals.factories import complete_draft

        from .sqlfill import insert_select

        template = complete_draft(User.objects.get(pk=self.people.referrer_ids[0]))
        exprs = {}
        for f in Referral._meta.concrete_fields:
            if f.primary_key:
                continue
            exprs[f.attname] = "NULL" if f.unique else f"t.{connection.ops.quote_name(f.column)}"
        before = Referral.objects.order_by("-pk").values_list("pk", flat=True).first()
        insert_select(Referral, exprs, "FROM referrals_referral t CROSS JOIN "
                      "generate_series(1, %s) WHERE t.id = %s", (DRAFTS, template.pk))
        return list(Referral.objects.filter(pk__gt=before).order_by("pk")
                    .values_list("pk", flat=True))

    def clocks_plant(self) -> list[int]:
        """Every seeded clock already recorded, then PLANTED_CLOCKS open clocks on distinct
        referrals made due during the load (their warnings a minute before), so every sweep
        has breaches and warnings to record and notices to write."""
        from django.db import connection

        span = self.args.seconds - 20
        with connection.cursor() as cursor:
            cursor.execute("UPDATE pathways_deadline SET warned_at = COALESCE(warned_at, now()),"
                           " breached_at = COALESCE(breached_at, now()) WHERE met_at IS NULL")
            cursor.execute(
                "UPDATE referrals_referral SET assignee_id = (SELECT user_id FROM "
                "accounts_teammembership ORDER BY id LIMIT 1) WHERE urgent AND assignee_id IS NULL")
            cursor.execute(
                "WITH picked AS (SELECT DISTINCT ON (d.referral_id) d.id FROM pathways_deadline d "
                "JOIN referrals_referral r ON r.id = d.referral_id WHERE d.met_at IS NULL "
                "AND d.cancelled_at IS NULL AND d.paused_at IS NULL AND r.status <> 'draft' "
                "ORDER BY d.referral_id, d.id LIMIT %s) "
                "UPDATE pathways_deadline d SET warned_at = NULL, breached_at = NULL, "
                "due_at = now() + interval '90 seconds' + (bench_u(d.id, 7) * %s) * "
                "interval '1 second', warning_at = now() + interval '30 seconds' + "
                "(bench_u(d.id, 7) * %s) * interval '1 second' FROM picked "
                "WHERE d.id = picked.id RETURNING d.id",
                [PLANTED_CLOCKS, span - 60, span - 60])
            return [row[0] for row in cursor.fetchall()]

    def marks(self) -> dict[str, int]:
        from django.db.models import Max

        from audit.models import AuditEvent
        from outbox.models import Notice

        return {"notice": Notice.objects.aggregate(m=Max("pk"))["m"] or 0,
                "audit": AuditEvent.objects.aggregate(m=Max("pk"))["m"] or 0}

    def preflight(self) -> None:
        import urllib.request

        from .features import url

        self.paths = {"check": url("referrals:check", 1), "queue": url("triage:queue"),
                      "referral": url("triage:referral", 1), "dashboard": url("dashboard:index")}
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM referrals_referral WHERE team_id = %s AND status <> 'draft' "
                           "ORDER BY id DESC LIMIT 40", [self.people.team_ids["oppd"]])
            self.paths["referral_pks"] = [row[0] for row in cursor.fetchall()]
        base = f"http://127.0.0.1:{self.topology.lb_port}"
        for role, path in (("staff", self.paths["queue"]), ("manager", self.paths["dashboard"]),
                           ("staff", self.paths["referral"].replace(
                               "/1/", f"/{self.paths['referral_pks'][0]}/", 1))):
            request = urllib.request.Request(base + path, headers=self.sessions[role].headers)
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                if response.status != 200 or "sign-in" in response.geturl():
                    raise SystemExit(f"{role} cannot read {path}: {response.status}")

    # ---------------------------------------------------------------------- the faults
    def scenario(self) -> None:
        import redis

        from .multi_mail import SENT_KEY

        self.redis = redis.Redis.from_url(REDIS_URL)
        self.sent_key = SENT_KEY
        self.mark = self.marks()
        self.replica_start = self.replica_stats()
        load = Load(self.topology.lb_port, self.sessions, self.paths, list(self.drafts))
        self.load = load
        beat_watch = BeatWatch(self)
        self.t0 = time.monotonic()
        beat_watch.start()
        threads = load.start()
        self.note("load started: 2 referrers submitting, 3 staff on queue and referral pages, "
                  "1 manager on the dashboard")
        seconds = self.args.seconds
        plan = [(0.13, self.web_kill), (0.23, self.web_restart),
                (0.33, self.worker_kill), (0.43, self.worker_restart),
                (0.53, self.beat_kill), (0.63, self.beat_restart),
                (0.68, self.replica_pause), (0.80, self.replica_resume)]
        for share, step in plan:
            self.sleep_until(share * seconds)
            step()
        self.sleep_until(seconds)
        load.stop.set()
        for thread in threads:
            thread.join(timeout=130)
        self.note(f"load stopped: {len(load.outcomes):,} requests")
        self.drain()
        beat_watch.stop.set()
        beat_watch.join()
        self.beat = beat_watch

    def sleep_until(self, at: float) -> None:
        delay = self.t0 + at - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def web_kill(self) -> None:
        self.web_killed_at, self.web_gone_at = self.topology.kill("web-a")
        self.note(f"SIGKILL web-a (gunicorn master and workers; all gone "
                  f"{(self.web_gone_at - self.web_killed_at) * 1000:.0f} ms later)")

    def web_restart(self) -> None:
        self.topology.start("web-a")
        self.procs_wait(f"http://127.0.0.1:{self.topology.web_ports['web-a']}/healthz")
        self.note("web-a restarted and answering")

    def worker_kill(self) -> None:
        """Kill worker-a while it runs a task if it runs one within 15 s (a notices batch or a
        sweep is the interesting moment: sent but not yet committed), else whenever."""
        from outbox.models import Notice

        waited = time.monotonic() + 15
        while True:
            started = log_count("worker-a", "task_started")
            finished = (log_count("worker-a", "task_succeeded")
                        + log_count("worker-a", "task_failed"))
            if started > finished or time.monotonic() > waited:
                break
            time.sleep(0.02)
        self.worker_killed_at, _ = self.topology.kill("worker-a")
        self.worker_pending = Notice.objects.filter(pk__gt=self.mark["notice"],
                                                    status="pending").count()
        self.worker_in_flight = max(started - finished, 0)
        self.note(f"SIGKILL worker-a (Celery main process and its pool): "
                  f"{self.worker_in_flight} task(s) in progress, {self.worker_pending} "
                  "notices pending")

    def worker_restart(self) -> None:
        self.topology.start("worker-a")
        self.note("worker-a restarted")

    def beat_kill(self) -> None:
        leader = [n for n in ("beat-a", "beat-b") if log_count(n, "Acquired lock")]
        self.beat_leader = leader[0] if len(leader) == 1 else "unknown"
        if self.beat_leader == "unknown":
            self.note(f"beat leader unclear before the kill (holders in logs: {leader})")
            self.beat_leader = "beat-a"
        self.beat_killed_at, _ = self.topology.kill(self.beat_leader)
        self.note(f"SIGKILL the beat leader, {self.beat_leader}")

    def beat_restart(self) -> None:
        self.topology.start(self.beat_leader)
        self.note(f"{self.beat_leader} restarted (now the standby)")

    def replica_pause(self) -> None:
        """Pause the replica's replay: its lag grows past REPLICA_MAX_LAG_SECONDS and the
        dashboard must read from the primary, still answering."""
        self.replica_sql("SELECT pg_wal_replay_pause()")
        self.paused_at = time.monotonic()
        self.note("replica replay paused")
        # Past the lag limit, plus a lag check interval, plus a dashboard already running.
        time.sleep(float(self.environ["REPLICA_MAX_LAG_SECONDS"]) + 8)
        self.paused_stats = (time.monotonic(), self.replica_stats())

    def replica_resume(self) -> None:
        self.resumed_stats = (time.monotonic(), self.replica_stats())
        self.replica_sql("SELECT pg_wal_replay_resume()")
        self.note("replica replay resumed")

    def replica_sql(self, sql: str) -> None:
        import psycopg2

        conn = psycopg2.connect(self.clusters.url("replica", DB_NAME))
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(sql)
        conn.close()

    def fallback_figure(self) -> str:
        (start, before), (end, after) = self.paused_stats, self.resumed_stats
        dashboards = [o for o in self.load.outcomes
                      if o.role == "manager dashboard" and start <= o.started and o.ended <= end]
        answered = sum(o.ok for o in dashboards)
        all_dashboards = sum(o.role == "manager dashboard" and o.ok for o in self.load.outcomes)
        per_dashboard = self.replica_rows / max(all_dashboards, 1)
        return (f"replay paused: from {start - self.paused_at:.0f} s after the pause (lag past "
                f"{self.environ['REPLICA_MAX_LAG_SECONDS']} s) to the resume, {answered} of "
                f"{len(dashboards)} dashboard requests answered; {after[1] - before[1]:,} rows "
                f"read on the replica in that time, against {per_dashboard:,.0f} per dashboard "
                "over the run: the primary served them")

    def procs_wait(self, url: str) -> None:
        from . import procs

        procs.wait_http(url)

    def drain(self) -> None:
        """Wait for the outbox to empty: the killed worker's batch comes back through the
        requeue sweep (a message a SIGKILLed worker held is not redelivered for an hour)."""
        from django.utils import timezone

        from outbox.models import Notice

        deadline = time.monotonic() + self.args.drain
        due_by = max(self.planted_due_last(), timezone.now())
        while time.monotonic() < deadline:
            pending = Notice.objects.filter(pk__gt=self.mark["notice"],
                                            status="pending").count()
            if pending == 0 and timezone.now() > due_by and self.planted_open() == 0:
                break
            time.sleep(2)
        self.note("outbox drained" if time.monotonic() < deadline else
                  f"outbox not drained after {self.args.drain:.0f} s")

    def planted_due_last(self):
        from pathways.models import Deadline

        return Deadline.objects.filter(pk__in=self.planted).order_by("-due_at").values_list(
            "due_at", flat=True).first()

    def planted_open(self) -> int:
        from pathways.models import Deadline

        return Deadline.objects.filter(pk__in=self.planted, breached_at__isnull=True).count()

    # ------------------------------------------------------------------------- results
    def results(self) -> None:
        from django.db import connection

        from audit.models import AuditEvent
        from outbox.models import Notice
        from referrals.models import Referral

        audit_table = AuditEvent._meta.db_table
        outcomes = self.load.outcomes
        killed, gone = self.web_killed_at, self.web_gone_at
        # In flight on the killed instance: sent before its last process was gone, answered
        # (with an error) after the signal, and not answered by the other instance.
        in_flight = [o for o in outcomes if not o.ok and o.started <= gone and o.ended >= killed
                     and o.server in ("", "web-a")]
        other = [o for o in outcomes if not o.ok and o not in in_flight]
        by_role = Counter(o.role for o in outcomes)
        served = Counter(o.server for o in outcomes if o.ok)
        self.figures["requests"] = (
            f"{len(outcomes):,} ({', '.join(f'{r} {n:,}' for r, n in sorted(by_role.items()))}); "
            f"served by {dict(served)}")
        self.failures = [
            {"role": o.role, "status": str(o.status), "server": o.server,
             "started_after_kill_s": round(o.started - killed, 3),
             "ended_after_kill_s": round(o.ended - killed, 3)} for o in in_flight + other]
        self.figures["requests failed"] = (
            f"{len(in_flight) + len(other)}: {len(in_flight)} in flight on web-a when it was "
            f"killed, {len(other)} others"
            + (f" ({Counter(str(o.status) for o in other).most_common(5)})" if other else "")
            + "; " + ", ".join(f"{o.role} {o.status} sent {(o.started - killed) * 1000:+.0f} ms, "
                               f"ended {(o.ended - killed) * 1000:+.0f} ms from the kill"
                               for o in in_flight + other))
        latencies = sorted((o.ended - o.started) * 1000 for o in outcomes if o.ok)
        if latencies:
            self.figures["latency (all roles)"] = (
                f"p50 {latencies[len(latencies) // 2]:.0f} ms, "
                f"p95 {latencies[int(len(latencies) * 0.95)]:.0f} ms")
        submitted = self.load.submitted
        still_draft = Referral.objects.filter(pk__in=submitted, status="draft").count()
        self.figures["referrals submitted (302 answered)"] = f"{len(submitted):,}"
        self.figures["referrals lost"] = f"{still_draft} (answered as submitted, not submitted)"
        caught = self.clusters.replica_caught_up(DB_NAME)
        from django.db import connections

        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM referrals_referral WHERE id = ANY(%s) AND "
                           "status <> 'draft'", [submitted])
            on_replica = cursor.fetchone()[0]
        self.figures["referrals on the replica"] = (
            f"{on_replica:,} of {len(submitted):,} (replica caught up in {caught:.1f} s)")
        sent = {int(k): int(v) for k, v in self.redis.hgetall(self.sent_key).items()
                if k.decode().isdigit() and int(k) > self.mark["notice"]}
        notices = Notice.objects.filter(pk__gt=self.mark["notice"])
        email = notices.filter(channel__in=("email", "notify"))
        pending = email.filter(status="pending").count()
        failed = email.filter(status="failed").count()
        sent_unseen = email.filter(status="sent").exclude(pk__in=list(sent)).count()
        twice = sum(1 for count in sent.values() if count > 1)
        self.figures["notices written during the run"] = (
            f"{notices.count():,} ({email.count():,} by email; {len(sent):,} delivered; "
            f"{failed} failed)")
        self.figures["notices lost"] = (
            f"{pending + sent_unseen} ({pending} still pending after the drain, {sent_unseen} "
            "marked sent but never delivered)")
        self.figures["notices sent twice"] = f"{twice}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*), count(DISTINCT (referral_id, object_id)) FROM {audit_table} "  # noqa: S608
                "WHERE id > %s AND action = 'deadline.breached'", [self.mark["audit"]])
            breaches, distinct = cursor.fetchone()
            cursor.execute(
                "SELECT count(*) FROM pathways_deadline WHERE id = ANY(%s) AND breached_at "
                "IS NOT NULL", [self.planted])
            planted_breached = cursor.fetchone()[0]
        self.figures["breaches recorded"] = (
            f"{breaches} ({planted_breached} of {len(self.planted)} planted clocks breached)")
        self.figures["breaches recorded twice"] = f"{breaches - distinct}"
        beat = self.beat
        self.figures["beat"] = beat.describe(self.beat_killed_at, self.beat_leader)
        self.figures["beat double scheduling"] = f"{beat.both_sent} sampling intervals in which " \
                                                 "both beats sent tasks"
        self.figures["worker killed"] = (
            f"{self.worker_in_flight} task(s) in progress on worker-a and {self.worker_pending} "
            "notices pending when it was killed; all sent afterwards (above)")
        self.figures["replica"] = self.replica_figures()
        self.figures["replica lagging"] = self.fallback_figure()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database()), count(*) FROM "
                           "referrals_referral")
            size, referrals = cursor.fetchone()
        self.figures["database size"] = (f"{size / 2**20:,.0f} MiB for {referrals:,} referral "
                                         f"rows ({size / referrals / 1024:.1f} KiB each)")
        self.figures["timeline"] = "; ".join(f"{at:.0f} s {text}" for at, text in self.events)

    def replica_stats(self) -> tuple[int, int]:
        from django.db import connections

        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT xact_commit + xact_rollback, tup_returned + tup_fetched "
                           "FROM pg_stat_database WHERE datname = current_database()")
            return cursor.fetchone()

    def replica_figures(self) -> str:
        transactions, rows = (a - b for a, b in zip(self.replica_stats(), self.replica_start,
                                                    strict=True))
        self.replica_rows = rows
        lags = self.beat.lags
        paused = (self.paused_at, self.resumed_stats[0] + 5)
        worst = max((lag for at, lag in lags if lag is not None
                     and not paused[0] <= at <= paused[1]), default=0.0)
        paused_worst = max((lag for at, lag in lags if lag is not None
                            and paused[0] <= at <= paused[1]), default=0.0)
        unknown = sum(lag is None for _, lag in lags)
        return (f"{transactions:,} transactions and {rows:,} rows read on the replica during "
                f"the run (the dashboard's); lag sampled {len(lags)} times: worst {worst:.2f} s "
                f"outside the pause, {paused_worst:.1f} s during it, {unknown} unknown; "
                f"fallback above {self.environ['REPLICA_MAX_LAG_SECONDS']} s")

    def render(self) -> str:
        width = max(len(k) for k in self.figures)
        lines = ["", "Multi-node fault scenario (issue 19)", "=" * 36]
        lines += [f"{k.ljust(width)}  {v}" for k, v in self.figures.items()]
        return "\n".join(lines)

    def shutdown(self) -> None:
        if getattr(self, "topology", None):
            self.topology.stop_all()
        if getattr(self, "clusters", None):
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: S110 (Django may not be set up yet)
                pass
            self.clusters.stop()
        Path(self.args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(self.args.json).write_text(json.dumps(
            {**self.figures, "failures": getattr(self, "failures", [])}, indent=2))


class BeatWatch(threading.Thread):
    """Samples both beats' logs every 0.2 s: who holds the lock, who sends due tasks."""

    def __init__(self, run: MultiRun):
        super().__init__(daemon=True)
        self.owner = run
        self.stop = threading.Event()
        self.samples: list[tuple[float, int, int, int, int]] = []
        self.both_sent = 0
        self.lags: list[tuple[float, float | None]] = []

    def run(self) -> None:  # noqa: D102 (threading's name)
        from django.db import connections

        from core.replica import replica_lag_seconds

        last, lag_at = None, 0.0
        while not self.stop.is_set():
            if time.monotonic() - lag_at >= 1:
                self.lags.append((time.monotonic(), replica_lag_seconds()))
                lag_at = time.monotonic()
            now = time.monotonic()
            sample = (now, log_count("beat-a", "Sending due task"),
                      log_count("beat-b", "Sending due task"),
                      log_count("beat-a", "Acquired lock"), log_count("beat-b", "Acquired lock"))
            if last and sample[1] > last[1] and sample[2] > last[2]:
                self.both_sent += 1
            self.samples.append(sample)
            last = sample
            time.sleep(0.2)
        connections.close_all()

    def describe(self, killed_at: float, leader: str) -> str:
        other = 2 if leader == "beat-a" else 1
        other_lock = other + 2
        acquired = next((s[0] for s in self.samples if s[0] >= killed_at and s[other_lock]), None)
        before = next((s for s in reversed(self.samples) if s[0] < killed_at), None)
        first_send = next((s[0] for s in self.samples if s[0] >= killed_at and before
                           and s[other] > before[other]), None)
        standby_before = before[other] if before else 0
        if acquired is None:
            return f"leader {leader} killed; the standby never took the lock"
        text = (f"leader {leader} SIGKILLed; standby took the lock after "
                f"{acquired - killed_at:.1f} s")
        if first_send is not None:
            text += f", sent its first task {first_send - killed_at:.1f} s after the kill"
        return text + (f"; the standby sent {standby_before} tasks before the kill (must be 0)")


def main(argv=None) -> int:
    args = parse_args(argv)

    def stop(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    started = time.monotonic()
    run = MultiRun(args)
    try:
        run.execute()
    finally:
        run.shutdown()
    print(run.render())
    print(f"\nWhole run: {(time.monotonic() - started) / 60:.1f} minutes. Logs: {LOG_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
