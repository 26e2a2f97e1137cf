"""The scenarios that drive other helpers' features, and the target rows built from figures.

Each feature is looked up at run time (bench/features.py); one that is not on the branch
gives its row "not available: <why>" instead of a number.
"""

import statistics
import sys
import time

from django.db import connection

from .features import Unavailable, first_attribute, url
from .report import Row

POLL_SECONDS = 0.1


# ------------------------------------------------------------------------------ Celery
def noop_run(run, count: int) -> float:
    """Seconds from the first enqueue until the worker has run `count` no-op tasks."""
    import redis

    from portal.celery import app  # noqa: F401 (binds shared tasks to the portal's app)

    from .env import REDIS_URL
    from .tasks import COUNTER_KEY, noop

    client = redis.Redis.from_url(REDIS_URL)
    client.set(COUNTER_KEY, 0)
    started = time.monotonic()
    for _ in range(count):
        noop.delay()
    _wait(lambda: int(client.get(COUNTER_KEY) or 0) >= count, timeout=max(60, count / 20),
          what=f"{count} no-op tasks")
    return time.monotonic() - started


def outbox_feature():
    return first_attribute("feedback.tasks.notice_send")


def outbox_drain_run(run, send, count: int) -> float:
    """Write `count` pending notices, enqueue each by id, time until none is pending."""
    from feedback.models import Notice

    from .sqlfill import insert_select

    before = Notice.objects.order_by("-id").values_list("id", flat=True).first() or 0
    insert_select(Notice, {
        "kind": "'bench:drain'", "recipient_id": "r.referrer_id",
        "recipient_email": "'referrer@referrer.bench.invalid'", "referral_id": "r.id",
        "channel": "'email'", "status": "'pending'",
        "subject": "'Update on safeguarding referral ' || r.reference",
        "body": "'There is an update on referral ' || r.reference || '.'",
        "created_at": "now()",
    }, "FROM (SELECT id, reference, referrer_id FROM referrals_referral "
       "WHERE status <> 'draft' ORDER BY id LIMIT %s) r", (count,))
    ids = list(Notice.objects.filter(id__gt=before).values_list("id", flat=True))
    started = time.monotonic()
    for notice_id in ids:
        send.delay(notice_id)

    def pending() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM feedback_notice WHERE id > %s "
                           "AND status = 'pending'", [before])
            return cursor.fetchone()[0]

    _wait(lambda: pending() == 0, timeout=max(120, count / 5), what=f"{count} notices")
    elapsed = time.monotonic() - started
    failed = Notice.objects.filter(id__gt=before).exclude(status="sent").count()
    if failed:
        raise Unavailable(f"{failed} of {count} bench notices ended unsent (see celery.log)")
    return elapsed


def _wait(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not done within {timeout:.0f} s")
        time.sleep(POLL_SECONDS)


# -------------------------------------------------------------------------- submission
def submission_measure(run, tier: int) -> None:
    url("referrals:start")
    raise Unavailable("the bench has no driver for this branch's submission flow yet")


# ------------------------------------------------------------------------------- sweep
def sweep_measure(run, tier: int) -> None:
    first_attribute("pathways.tasks.deadline_sweep", "pathways.sweep.deadline_sweep")
    raise Unavailable("the bench has no driver for this branch's sweep yet")


# --------------------------------------------------------------------------- retention
def retention_command(run) -> list[str]:
    first_attribute("privacy.tasks.retention_sweep")
    return [sys.executable, "-c",
            "import django; django.setup(); from privacy.tasks import retention_sweep; "
            "retention_sweep()"]


# -------------------------------------------------------------------------------- rows
def rows(run) -> list[Row]:
    tiers = run.args.tiers
    small, large = tiers[0], tiers[-1]
    middle = 100_000 if 100_000 in tiers else tiers[len(tiers) // 2]
    r, why = run.results, run.reasons

    def p95(key):
        summary = r.get(key)
        return summary.p95_ms if summary is not None else None

    def ratio_row(figure, target, top_key, bottom_key, *, top_label, bottom_label,
                  attribute="p95_ms", unit="ms", fallback_reason=""):
        top, bottom = r.get(top_key), r.get(bottom_key)
        if top is None or bottom is None:
            missing = top_key if top is None else bottom_key
            reason = why.get(missing) or fallback_reason or f"{_label(missing)} was not measured"
            return Row(figure, target, unavailable=reason)
        a, b = getattr(top, attribute), getattr(bottom, attribute)
        return Row(figure, target, ratio=a / b if b else None,
                   detail=f"{top_label} {a:.1f} {unit} / {bottom_label} {b:.1f} {unit}")

    out = [
        ratio_row(f"queue p95 at {middle:,} / minimal view p95", "<= 3",
                  ("queue", middle), ("minimal", middle), top_label="queue",
                  bottom_label="minimal"),
        ratio_row(f"queue p95 at {large:,} / at {small:,}", "<= 1.5",
                  ("queue", large), ("queue", small), top_label=f"{large:,}",
                  bottom_label=f"{small:,}"),
        ratio_row(f"queue / admin changelist at {large:,} (p95)", "<= 0.2",
                  ("queue", large), ("admin", large), top_label="queue",
                  bottom_label="admin"),
    ]
    if r.get(("submission",)) is not None and r.get(("bare insert",)) is not None:
        out.append(ratio_row("submission throughput / bare insert", ">= 0.4",
                             ("submission",), ("bare insert",), top_label="submit",
                             bottom_label="insert", attribute="rps", unit="req/s"))
    else:
        out.append(Row("submission throughput / bare insert", ">= 0.4",
                       unavailable=why.get("submission") or why.get(("bare insert",))
                       or "not measured"))
    if "sweep" in r:
        sweep = r["sweep"]
        out.append(Row(f"deadline sweep over {sweep['open']:,} open / raw SQL UPDATE", "<= 3",
                       ratio=sweep["sweep_s"] / sweep["raw_s"] if sweep["raw_s"] else None,
                       detail=(f"sweep {sweep['sweep_s']:.2f} s / raw {sweep['raw_s']:.2f} s, "
                               f"{sweep['changed']:,} deadlines changed; second sweep changed "
                               f"{sweep['second']}"),
                       extra_ok=sweep["second"] == 0))
    else:
        out.append(Row(f"deadline sweep over {large:,} open / raw SQL UPDATE", "<= 3",
                       unavailable=why.get("sweep", "not measured")))
    if "drain" in r and "noop" in r:
        out.append(Row(f"outbox drain / no-op tasks ({run.args.tasks:,})", "<= 2",
                       ratio=r["drain"] / r["noop"],
                       detail=f"drain {r['drain']:.1f} s / no-op {r['noop']:.1f} s"))
    else:
        out.append(Row(f"outbox drain / no-op tasks ({run.args.tasks:,})", "<= 2",
                       unavailable=why.get("drain") or why.get("noop") or "not measured"))
    out += [
        ratio_row("referral page with audit / without (p95)", "<= 1.3",
                  ("referral page with audit", large), ("referral page without audit", large),
                  top_label="with", bottom_label="without",
                  fallback_reason=why.get("audit", "")),
        ratio_row("queue p95 while PDFs render / idle", "<= 1.5",
                  ("queue while", "pdf", large), ("queue idle before", "pdf", large),
                  top_label="loaded", bottom_label="idle",
                  fallback_reason=why.get("pdf") or why.get("queue", "")),
        ratio_row("queue p95 while retention runs / idle", "<= 1.5",
                  ("queue while", "retention", large), ("queue idle before", "retention", large),
                  top_label="loaded", bottom_label="idle",
                  fallback_reason=why.get("retention") or why.get("queue", "")),
        ratio_row(f"dashboard p95 at {large:,} / minimal view", "<= 5",
                  ("dashboard", large), ("minimal", large), top_label="dashboard",
                  bottom_label="minimal"),
    ]
    if "pdf" not in r:
        run.report.note(f"referral PDF render time: not available: {why.get('pdf', '')}")
    return out


def _label(key) -> str:
    return " ".join(f"{k:,}" if isinstance(k, int) else str(k) for k in key)


def median(values):
    return statistics.median(values)
