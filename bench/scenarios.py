"""The scenarios that drive other helpers' features, and the target rows built from figures.

Each feature is looked up at run time (bench/features.py); one that is not on the branch
gives its row "not available: <why>" instead of a number.
"""

import statistics
import sys
import time

from django.db import connection

from .features import Unavailable, attribute, first_attribute, url
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
    """How the portal hands committed notices to the broker: outbox.dispatch.notices_enqueue
    (feedback.services.notices_enqueue before the outbox package; batches of NOTICE_SEND_BATCH
    ids, as the on-commit hook and the requeue sweep do), or on a branch without it one
    feedback.tasks.notice_send task per id."""
    try:
        try:
            return attribute("outbox.dispatch.notices_enqueue")
        except Unavailable:
            return attribute("feedback.services.notices_enqueue")
    except Unavailable as batches_missing:
        try:
            send = attribute("feedback.tasks.notice_send")
        except Unavailable as exc:
            raise Unavailable(f"{batches_missing}; {exc}") from exc
    return lambda ids: [send.delay(notice_id) for notice_id in ids]


def outbox_drain_run(run, enqueue, count: int) -> float:
    """Write `count` pending notices, hand their ids to the portal's enqueue path, time from
    the first hand-over until none is pending."""
    from outbox.models import Notice

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
    enqueue(ids)

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


# ------------------------------------------------------------------------------ PDFs
def pdf_cache_clear() -> None:
    """Forget every cached referral PDF (and its 'asked for' marks) in the bench's Redis."""
    import redis

    from .env import REDIS_URL

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match="pdf:*", count=1000):
        client.delete(key)


def pdf_render_command(pks: list[int]) -> list[str]:
    """A process that asks the worker to render these referrals' PDFs (as the PDF page does
    when a copy is not cached) and waits until every one is in the cache."""
    return ["nice", "-n", "10", sys.executable, "-c",
            "import time, django; django.setup()\n"
            "from django.core.cache import caches\n"
            "from referrals.tasks import referral_pdf_render\n"
            f"pks = {list(pks)!r}\n"
            "for pk in pks: referral_pdf_render.delay(pk)\n"
            "cache, began = caches['pdfs'], time.monotonic()\n"
            "while time.monotonic() - began < 120:\n"
            "    done = sum(cache.has_key(f'referral:{pk}') for pk in pks)\n"
            "    if done == len(pks): break\n"
            "    time.sleep(0.5)\n"
            "print('rendered', done, 'of', len(pks), 'in', round(time.monotonic() - began, 1), 's')\n"]


def pdf_ready_times(run, paths: list[str], *, timeout: float = 120) -> list[float]:
    """Milliseconds from the first request for each PDF until the page gives the file (one
    referral at a time, asking again every 50 ms as a person clicking the link would, faster)."""
    import urllib.request

    times = []
    for path in paths:
        began = time.monotonic()
        while True:
            request = urllib.request.Request(run.base_url + path, headers=run.staff.headers)
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
                if response.headers.get("Content-Type", "").startswith("application/pdf"):
                    break
            if time.monotonic() - began > timeout:
                raise TimeoutError(f"no PDF within {timeout:.0f} s (is the worker running?)")
            time.sleep(0.05)
        times.append((time.monotonic() - began) * 1000)
    return times


# -------------------------------------------------------------------------- submission
DRAFTS_PER_RUN = 1500
WARMUP_SUBMIT_SECONDS = 10
SUBMISSION_KEY = "bbbbbbbb-0000-4000-8000-{id}"


def submission_measure(run, tier: int) -> None:
    """Referral submissions (POST the check page of a complete draft) against a bare insert,
    run by run. Each submission consumes one draft: the drafts are clones, in SQL, of one
    draft completed through the referral services' own steps (tests/referrals/factories)."""
    from . import load

    insert_paths = ["/bench/insert/"]
    insert_options = {"method": "POST", "body": "x=1", "expect": 201}
    try:
        url("referrals:check", 1)
        complete_draft = first_attribute("tests.referrals.factories.complete_draft")
        slices = _draft_slices(run, complete_draft, run.args.repeats + 1)
    except Unavailable as exc:
        run.reasons["submission"] = str(exc)
        run.report.figure("submission", f"not available: {exc}")
        slices = None
    options = {"headers": None, "seconds": run.args.seconds,
               "connections": run.args.connections}
    inserts, submits = [], []
    try:
        load.run_once(run.base_url, insert_paths, **{**options, "headers": run.referrer.headers,
                                                     "seconds": load.WARMUP_SECONDS}, **insert_options)
        if slices:
            # Long warm-up: each gunicorn worker's first submission is slow (imports, broker
            # connection), and there are several workers.
            _submit_run(run, slices[0], {**options, "seconds": WARMUP_SUBMIT_SECONDS})
        for i in range(run.args.repeats):
            inserts.append(load.run_once(run.base_url, insert_paths,
                                         **{**options, "headers": run.referrer.headers},
                                         **insert_options))
            if slices:
                submits.append(_submit_run(run, slices[i + 1], options))
            run.sample_memory()
    except (load.LoadError, Unavailable) as exc:
        run.reasons["submission"] = f"load run failed: {exc}"
    if inserts:
        run.results[("bare insert",)] = load.Summary(inserts)
        run.report.figure("bare insert", run.results[("bare insert",)].describe())
    if submits and "submission" not in run.reasons:
        run.results[("submission",)] = load.Summary(submits)
        run.report.figure("submission", run.results[("submission",)].describe())


def _submit_run(run, ids: list[int], options: dict):
    from referrals.models import Referral

    from . import load

    check = url("referrals:check", 1)
    paths = [check.replace("/1/", f"/{pk}/", 1) for pk in ids]
    result = load.run_once(run.base_url, paths, **{**options, "headers": run.referrer.headers},
                           method="POST", body="submission_key=" + SUBMISSION_KEY,
                           expect=302, max_requests=len(paths))
    submitted = Referral.objects.filter(pk__in=ids).exclude(status="draft").count()
    if submitted < result.requests * 0.99:
        raise Unavailable(f"only {submitted} of {result.requests} POSTs submitted a referral "
                          "(the check page redirected elsewhere)")
    if result.requests >= len(paths):
        run.report.note("a submission run used every prepared draft: its throughput is a floor")
    return result


def _draft_slices(run, complete_draft, count: int) -> list[list[int]]:
    from accounts.models import User
    from referrals.models import Referral

    from .sqlfill import insert_select

    referrer = User.objects.get(pk=run.people.referrer_ids[0])
    template = complete_draft(referrer)
    exprs = {}
    for field in Referral._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.unique:
            if not field.null:
                raise Unavailable(f"Referral.{field.name} is unique and required: cannot clone")
            exprs[field.attname] = "NULL"
        else:
            exprs[field.attname] = f"t.{connection.ops.quote_name(field.column)}"
    before = Referral.objects.order_by("-pk").values_list("pk", flat=True).first()
    insert_select(Referral, exprs, "FROM referrals_referral t CROSS JOIN generate_series(1, %s) "
                  "WHERE t.id = %s", (DRAFTS_PER_RUN * count, template.pk))
    ids = list(Referral.objects.filter(pk__gt=before).order_by("pk")
               .values_list("pk", flat=True))
    return [ids[i * DRAFTS_PER_RUN:(i + 1) * DRAFTS_PER_RUN] for i in range(count)]


# ------------------------------------------------------------------------------- sweep
# Of the open clocks, 0.1% are overdue and not yet recorded (about an hour's national backlog
# at 1M, as after a sweep outage) and about 0.07% inside their two-hour warning window.
OVERDUE_SHARE = 0.001
SPAN_DAYS = 120  # due times spread over this many days from just before `now`


def sweep_clocks_prepare(now, *, overdue: float) -> tuple[str, int, int]:
    """Every deadline made open, due times spread over SPAN_DAYS with `overdue` of them past
    due (the two-hour warning window before), none recorded; old urgent referrals marked picked
    up. Returns the SQL condition for a running clock and the open and due counts."""
    from pathways.models import Deadline

    from .sqlfill import has_field

    open_clock = "met_at IS NULL" + (" AND cancelled_at IS NULL"
                                     if has_field(Deadline, "cancelled_at") else "")
    running = open_clock + " AND paused_at IS NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pathways_deadline SET met_at = NULL, warned_at = NULL, breached_at = NULL, "
            "paused_at = NULL, due_at = %s + (bench_u(id, 31) - %s) * %s * interval '1 day', "
            "warning_at = %s + (bench_u(id, 31) - %s) * %s * interval '1 day' "
            "- interval '2 hours'"
            + (", cancelled_at = NULL" if has_field(Deadline, "cancelled_at") else ""),
            [now, overdue, SPAN_DAYS, now, overdue, SPAN_DAYS],
        )
        # Urgent referrals received before yesterday were picked up long ago (or alerted): the
        # pick-up alerts are not part of the raw UPDATE, so a year of them must not be either.
        cursor.execute(
            "UPDATE referrals_referral SET assignee_id = (SELECT user_id FROM "
            "accounts_teammembership ORDER BY id LIMIT 1) WHERE urgent AND assignee_id IS NULL "
            "AND received_at < %s - interval '1 day'", [now])
        cursor.execute("VACUUM (ANALYZE) pathways_deadline")
        cursor.execute(f"SELECT count(*) FROM pathways_deadline WHERE {running}")
        open_count = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM pathways_deadline WHERE {running} AND "
                       "(due_at <= %s OR warning_at <= %s)", [now, now])
        due_count = cursor.fetchone()[0]
    return running, open_count, due_count


def sweep_measure(run, tier: int) -> None:
    """The clocks' sweep against a raw SQL UPDATE of the same deadlines.

    Every deadline of the tier is made open (1M referrals: about 1.05M clocks), due times spread
    over 120 days so 0.1% are overdue and about 0.07% inside their two-hour warning window, none
    yet recorded. The sweep runs with no batch limit, so both record the same rows; then a second
    sweep must change nothing. State is reset between runs (warned_at / breached_at cleared,
    the sweep's notices and audit rows deleted).
    """
    sweep = first_attribute("referrals.sweep.deadlines_sweep", "pathways.sweep.deadlines_sweep")
    now = run.now
    started = time.monotonic()
    running, open_count, due_count = sweep_clocks_prepare(now, overdue=OVERDUE_SHARE)
    run.report.figure("sweep set-up", f"{open_count:,} open clocks, {due_count:,} due or in "
                      f"warning ({time.monotonic() - started:.1f} s to prepare)")
    marks = _marks()
    sweep_times, raw_times, fair_times, changed, second = [], [], [], 0, None
    sweep_notices = fair = None
    for _ in range(run.args.repeats):
        purge_broker()
        began = time.monotonic()
        first = sweep(now=now, max_batches=10**9)
        sweep_times.append(time.monotonic() - began)
        sweep_notices = first.as_dict().get("notices")
        changed = _changed(running)
        report = sweep(now=now, max_batches=10**9)
        second = sum(report.as_dict().get(k, 0)
                     for k in ("warned", "breached", "picked_up", "pickup_alerts"))
        second += _changed(running) - changed
        _sweep_reset(marks)
        began = time.monotonic()
        with connection.cursor() as cursor:
            with transaction_atomic():
                cursor.execute(
                    "UPDATE pathways_deadline SET breached_at = %s, "
                    f"warned_at = COALESCE(warned_at, %s) WHERE {running} "
                    "AND breached_at IS NULL AND due_at <= %s", [now, now, now])
                raw_rows = cursor.rowcount
                cursor.execute(
                    f"UPDATE pathways_deadline SET warned_at = %s WHERE {running} "
                    "AND warned_at IS NULL AND warning_at <= %s AND due_at > %s", [now, now, now])
                raw_rows += cursor.rowcount
        raw_times.append(time.monotonic() - began)
        _sweep_reset(marks)
        # The fair floor (issue 19): the same records, audit rows and notices, set-based.
        began = time.monotonic()
        with transaction_atomic():
            fair = fair_baseline(now, running)
        fair_times.append(time.monotonic() - began)
        _sweep_reset(marks)
    purge_broker()
    run.results["sweep"] = {
        "open": open_count, "sweep_s": statistics.median(sweep_times),
        "raw_s": statistics.median(raw_times), "changed": changed, "raw_rows": raw_rows,
        "second": second, "fair_s": statistics.median(fair_times), "fair": fair,
        "sweep_notices": sweep_notices,
    }
    run.report.figure("deadline sweep", f"median {statistics.median(sweep_times):.2f} s "
                      f"({_seconds(sweep_times)}), {changed:,} clocks recorded; second sweep "
                      f"changed {second}")
    run.report.figure("raw SQL UPDATE of the same clocks",
                      f"median {statistics.median(raw_times):.2f} s ({_seconds(raw_times)}), "
                      f"{raw_rows:,} rows")
    run.report.figure("set-based SQL doing the sweep's work (records, audit rows, notices)",
                      f"median {statistics.median(fair_times):.2f} s ({_seconds(fair_times)}), "
                      f"{fair['recorded']:,} clocks, {fair['audit']:,} audit rows, "
                      f"{fair['notices']:,} notices (the sweep wrote {sweep_notices} notices)")
    # The every-minute case: nothing newly due. Only the index lookups remain.
    quiet = []
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE pathways_deadline SET warned_at = %s, breached_at = %s "
                       f"WHERE {running} AND due_at <= %s", [now, now, now])
        cursor.execute(f"UPDATE pathways_deadline SET warned_at = %s "
                       f"WHERE {running} AND warning_at <= %s", [now, now])
    for _ in range(run.args.repeats):
        began = time.monotonic()
        sweep(now=now)
        quiet.append(time.monotonic() - began)
    run.report.figure("sweep with nothing newly due", f"median {statistics.median(quiet) * 1000:.0f} ms "
                      f"over {open_count:,} open clocks")


def fair_baseline(now, running: str) -> dict[str, int]:
    """What the sweep owes, in set-based SQL and nothing else: two statements (breaches, then
    warnings), each claiming its clocks, writing one audit row per clock and an email and a
    portal notice per recipient (breach: the team's managers and duty managers; warning: the
    assignee and the managers), deduplicated by the sweep's own keys. Not done here and done by
    the sweep: the team inbox for a team with nobody to tell, and handing the notices to the
    broker after commit."""
    from audit.models import AuditEvent
    from core.vocabulary import AuditAction
    from outbox.models import Notice

    from .sqlfill import insert_select_sql

    counts = {"recorded": 0, "audit": 0, "notices": 0}
    local = "to_char(c.due_at AT TIME ZONE 'Europe/London', 'FMDD FMMonth YYYY HH24:MI')"
    steps = (
        (AuditAction.DEADLINE_BREACHED.value,
         f"UPDATE pathways_deadline SET breached_at = %s, warned_at = COALESCE(warned_at, %s) "
         f"WHERE {running} AND breached_at IS NULL AND due_at <= %s "
         "RETURNING id, referral_id, kind, due_at, warning_at",
         (now, now, now),
         "SELECT tm.user_id FROM accounts_teammembership tm WHERE tm.team_id = r.team_id "
         "AND (tm.role = 'manager' OR tm.is_duty_manager)",
         "'deadline_breach'", "'deadline:' || c.id || ':breach'",
         "'Deadline missed: referral ' || r.reference",
         f"'The clock for referral ' || r.reference || ' was due ' || {local} || "
         "' and has not been met. It is on the team''s breach list.'"),
        (AuditAction.DEADLINE_WARNED.value,
         f"UPDATE pathways_deadline SET warned_at = %s WHERE {running} AND warned_at IS NULL "
         "AND warning_at <= %s AND due_at > %s RETURNING id, referral_id, kind, due_at, warning_at",
         (now, now, now),
         "SELECT r.assignee_id WHERE r.assignee_id IS NOT NULL UNION SELECT tm.user_id "
         "FROM accounts_teammembership tm WHERE tm.team_id = r.team_id AND tm.role = 'manager'",
         "'deadline_warning'",
         "'deadline:' || c.id || ':warning:' || floor(extract(epoch FROM c.warning_at))::bigint",
         "'Due soon: referral ' || r.reference",
         f"'The clock for referral ' || r.reference || ' is due ' || {local} || "
         "'. Please act on it before then.'"),
    )
    with connection.cursor() as cursor:
        for action, claim, claim_params, people, kind, key, subject, body in steps:
            audit_sql, audit_params = insert_select_sql(AuditEvent, {
                "action": f"'{action}'", "referral_id": "c.referral_id",
                "object_type": "'pathways.deadline'", "object_id": "c.id::text",
                "allowed": "true", "path": "''", "at": "now()",
                "detail": "jsonb_build_object('kind', c.kind, 'due_at', c.due_at)",
            }, "FROM claimed c")
            notice_sql, notice_params = insert_select_sql(Notice, {
                "kind": kind, "recipient_id": "u.id", "recipient_email": "u.email",
                "referral_id": "r.id", "channel": "ch.channel", "status": "'pending'",
                "subject": subject, "body": body,
                "dedupe_key": f"{key} || ':user:' || u.id || ch.suffix",
                "created_at": "now()", "next_try_at": "now()",
            }, "FROM claimed c JOIN referrals_referral r ON r.id = c.referral_id "
               f"JOIN LATERAL ({people}) m(user_id) ON true "
               "JOIN accounts_user u ON u.id = m.user_id AND u.is_active "
               "CROSS JOIN (VALUES ('email', ''), ('portal', ':portal')) ch(channel, suffix) "
               "ON CONFLICT (dedupe_key) DO NOTHING RETURNING 1")
            cursor.execute(
                f"WITH claimed AS ({claim}), audit AS ({audit_sql} RETURNING 1), "
                f"notices AS ({notice_sql}) SELECT (SELECT count(*) FROM claimed), "
                "(SELECT count(*) FROM audit), (SELECT count(*) FROM notices)",
                (*claim_params, *audit_params, *notice_params))
            recorded, audit, notices = cursor.fetchone()
            counts["recorded"] += recorded
            counts["audit"] += audit
            counts["notices"] += notices
    return counts


def transaction_atomic():
    from django.db import transaction

    return transaction.atomic()


def _marks() -> dict[str, int]:
    marks = {}
    with connection.cursor() as cursor:
        # Not the audit table: it is append-only (a trigger refuses DELETE), and should be.
        for table in ("feedback_notice", "referrals_referralevent"):
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            marks[table] = cursor.fetchone()[0]
    return marks


def _changed(running: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM pathways_deadline WHERE {running} "
                       "AND (warned_at IS NOT NULL OR breached_at IS NOT NULL)")
        return cursor.fetchone()[0]


def _sweep_reset(marks: dict[str, int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pathways_deadline SET warned_at = NULL, breached_at = NULL "
                       "WHERE warned_at IS NOT NULL OR breached_at IS NOT NULL")
        for table, mark in marks.items():
            cursor.execute(f"DELETE FROM {table} WHERE id > %s", [mark])


def purge_broker() -> None:
    """Drop queued task messages (the sweep's notice_send calls) from the bench's Redis db."""
    from portal.celery import app

    app.control.purge()


def _seconds(values) -> str:
    return ", ".join(f"{v:.2f}" for v in values) + " s"


# --------------------------------------------------------------------------- retention
RETENTION_DAYS = 300  # instead of six years: the seeded year then has referrals to erase


def retention_command(run) -> list[str]:
    """The retention sweep in its own process, niced as the Celery worker is, with a
    300-day rule so that it really erases the oldest closed referrals while the queue is
    measured (the six-year default finds nothing in a one-year data set)."""
    first_attribute("privacy.retention.retention_sweep")
    return ["nice", "-n", "10", sys.executable, "-c",
            "import django; django.setup(); from django.utils import timezone; "
            "from privacy.retention import retention_sweep; "
            f"print('erased', retention_sweep(now=timezone.now(), days={RETENTION_DAYS}))"]


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
        ratio_row(f"minimal view p95 at {large:,} / bare Django p95", "<= 2",
                  ("minimal", large), ("bare", large), top_label="minimal",
                  bottom_label="bare"),
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
        if sweep.get("fair"):
            fair = sweep["fair"]
            out.append(Row(
                "deadline sweep / set-based SQL doing the same work", "<= 2",
                ratio=sweep["sweep_s"] / sweep["fair_s"] if sweep["fair_s"] else None,
                detail=(f"sweep {sweep['sweep_s']:.2f} s ({sweep['sweep_notices']} notices) / "
                        f"SQL {sweep['fair_s']:.2f} s ({fair['recorded']:,} clocks, "
                        f"{fair['audit']:,} audit rows, {fair['notices']:,} notices)"),
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
        ratio_row(f"staff referral page p95 at {large:,} / minimal view", "<= 4",
                  ("referral page with audit", large), ("minimal beside the referral page", large),
                  top_label="referral page", bottom_label="minimal",
                  fallback_reason=why.get("audit", "")),
        ratio_row("queue p95 while the worker renders PDFs / idle", "<= 1.2",
                  ("queue while", "pdf", large), ("queue idle before", "pdf", large),
                  top_label="loaded", bottom_label="idle",
                  fallback_reason=why.get("pdf") or why.get("queue", "")),
        ratio_row("queue p95 while retention runs / idle", "<= 1.2",
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
