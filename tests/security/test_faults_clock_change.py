"""The clock change, end to end: referrals received either side of the March (GMT to BST) and
October (BST to GMT) changes in 2026, the deadline sweep run as beat runs it (every 30 minutes
here, through the task by name, with a given `now`) across the change, and run twice at each
01:30 of the October night (the hour that happens twice).

Each clock's due and warning times are right in Europe/London; each warning, breach and
urgent pick-up alert is recorded once (its audit row and its notices), at the first sweep
that reaches it in real time, not in wall-clock time; every notice is sent, and sent once.

2026: the clocks go forward at 01:00 UTC on Sunday 29 March and back at 01:00 UTC on Sunday
25 October. Times below are written in UTC with the London time beside them.
"""

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.models import TeamMembership
from audit.models import AuditEvent
from outbox.models import Channel, Notice, NoticeStatus
from pathways.models import Deadline
from portal.celery import app
from referrals import services
from tests.referrals.factories import complete_draft
from triage import transitions

SWEEP = "pathways.tasks.deadlines_sweep"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def every_half_hour(first: datetime, last: datetime):
    moment = first
    while moment <= last:
        yield moment
        moment += timedelta(minutes=30)


# label: (received, kind of referral). Kinds: adult (OPPD, concern decision the same working
# day, warning two working hours before), urgent adult (also the one-real-hour pick-up alert),
# child (MASH decision in 8 working hours, plus a RAG rating of red: 4 real hours, warning 2
# real hours before).
MARCH = {
    "fri-before-close": (utc(2026, 3, 27, 16, 30), "adult"),  # 16:30 GMT Friday
    "sat-night-gmt": (utc(2026, 3, 28, 23, 30), "adult"),  # 23:30 GMT Saturday
    "sun-after-change": (utc(2026, 3, 29, 2, 0), "adult"),  # 03:00 BST Sunday
    "mon-morning-bst": (utc(2026, 3, 30, 9, 0), "adult"),  # 10:00 BST Monday
}
OCTOBER = {
    "fri-before-close": (utc(2026, 10, 23, 15, 30), "adult"),  # 16:30 BST Friday
    "sat-red-rating": (utc(2026, 10, 24, 21, 30), "child"),  # 22:30 BST Saturday
    "urgent-after-midnight": (utc(2026, 10, 24, 23, 45), "urgent"),  # 00:45 BST Sunday
    "first-0130": (utc(2026, 10, 25, 0, 30), "adult"),  # 01:30 BST, the first 01:30
    "second-0130": (utc(2026, 10, 25, 1, 30), "adult"),  # 01:30 GMT, the second 01:30
}

# (label, clock): (due, warning, warned by the sweep at, breached by the sweep at), all UTC.
MON_30_MAR_17_BST = utc(2026, 3, 30, 16, 0)
MON_30_MAR_15_BST = utc(2026, 3, 30, 14, 0)
MON_26_OCT_17_GMT = utc(2026, 10, 26, 17, 0)
MON_26_OCT_15_GMT = utc(2026, 10, 26, 15, 0)
EXPECTED_MARCH = {
    # Received after 15:00: the warning point is before the start, so it is at the start.
    ("fri-before-close", "concern_decision"): (
        utc(2026, 3, 27, 17, 0), utc(2026, 3, 27, 16, 30),
        utc(2026, 3, 27, 16, 30), utc(2026, 3, 27, 17, 0)),
    # Either side of the change: 17:00 BST on Monday, which is 16:00 UTC.
    **{(label, "concern_decision"): (MON_30_MAR_17_BST, MON_30_MAR_15_BST,
                                     MON_30_MAR_15_BST, MON_30_MAR_17_BST)
       for label in ("sat-night-gmt", "sun-after-change", "mon-morning-bst")},
}
EXPECTED_OCTOBER = {
    ("fri-before-close", "concern_decision"): (
        utc(2026, 10, 23, 16, 0), utc(2026, 10, 23, 15, 30),
        utc(2026, 10, 23, 15, 30), utc(2026, 10, 23, 16, 0)),
    # Red at 22:30 BST: due four real hours later, 01:30 UTC, which is the *second* 01:30
    # (GMT). Warned at 00:30 BST; breached at the second 01:30 only: a wall-clock reading
    # would have breached it an hour early, at the first 01:30 (BST).
    ("sat-red-rating", "rag"): (
        utc(2026, 10, 25, 1, 30), utc(2026, 10, 24, 23, 30),
        utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 1, 30)),
    ("sat-red-rating", "mash_decision"): (MON_26_OCT_17_GMT, MON_26_OCT_15_GMT,
                                          MON_26_OCT_15_GMT, MON_26_OCT_17_GMT),
    **{(label, "concern_decision"): (MON_26_OCT_17_GMT, MON_26_OCT_15_GMT,
                                     MON_26_OCT_15_GMT, MON_26_OCT_17_GMT)
       for label in ("urgent-after-midnight", "first-0130", "second-0130")},
}
# Urgent at 00:45 BST: one real hour is 00:45 UTC (01:45 BST), so the alert goes at the
# 01:00 GMT sweep; by wall clock (01:45 never reached until the second pass) it would wait
# until 02:00 GMT.
PICKUP_ALERTED_AT = utc(2026, 10, 25, 1, 0)
# The October night's repeats, given as local times with their offsets, as a person running
# a catch-up would type them.
FIRST_0130 = "2026-10-25T01:30:00+01:00"
SECOND_0130 = "2026-10-25T01:30:00+00:00"


@pytest.fixture
def people(make_user, teams):
    """A manager for each team, and an OPPD duty manager (breaches and pick-up alerts)."""
    made = {}
    for key, team, role, duty in (("oppd_manager", "oppd", "manager", False),
                                  ("oppd_duty", "oppd", "triage", True),
                                  ("mash_manager", "mash", "manager", False)):
        user = make_user(f"{key}@council.example.gov.uk", key.replace("_", " ").title())
        TeamMembership.objects.create(user=user, team=teams[team], role=role,
                                      is_duty_manager=duty)
        made[key] = user
    return made


def sweep(now) -> dict:
    """The beat task, by name, with a given `now` (ISO 8601 with its offset)."""
    moment = now if isinstance(now, str) else now.isoformat()
    app.loader.import_default_modules()  # the tasks modules, as a worker imports them
    return app.tasks[SWEEP].apply(kwargs={"now": moment}).get()


def receive(referrer, people, received, kind):
    """Submit through the submission service at `received`; a child referral is rated red at
    once by the MASH manager."""
    draft = complete_draft(referrer, child=kind == "child", urgent=kind == "urgent",
                           now=received - timedelta(minutes=20))
    referral = services.referral_submit(referral=draft, actor=referrer,
                                        submission_key=uuid.uuid4(), now=received)
    if kind == "child":
        transitions.referral_rag_rate(referral_id=referral.pk, actor=people["mash_manager"],
                                      rating="red", now=received)
    return referral


def run_timeline(referrer, people, arrivals, sweeps, capture):
    """Submissions and sweeps in time order (a submission before a sweep at the same
    instant); each step's notices are sent after its commit. Returns (referrals, reports)."""
    events = sorted(
        [(received, 0, label, kind) for label, (received, kind) in arrivals.items()]
        + [(moment, 1, None, None) for moment in sweeps],
        key=lambda event: event[:2],
    )
    referrals, reports = {}, []
    for moment, is_sweep, label, kind in events:
        with capture(execute=True):
            if is_sweep:
                reports.append((moment, sweep(moment)))
            else:
                referrals[label] = receive(referrer, people, moment, kind)
    return referrals, reports


def clocks_of(referrals) -> dict:
    return {
        (label, deadline.kind): (deadline.due_at, deadline.warning_at, deadline.warned_at,
                                 deadline.breached_at)
        for label, referral in referrals.items()
        for deadline in Deadline.objects.filter(referral=referral)
    }


def assert_each_recorded_once(referrals, expected):
    """One audit row per warning and per breach, for exactly the clocks expected."""
    ids = [r.pk for r in referrals.values()]
    for action in ("deadline.warned", "deadline.breached"):
        rows = Counter(AuditEvent.objects.filter(action=action, referral_id__in=ids)
                       .values_list("object_id", flat=True))
        assert set(rows.values()) == {1}, (action, rows)
        assert len(rows) == len(expected), action


def assert_every_notice_sent_once(referrals):
    notices = Notice.objects.filter(referral__in=referrals.values())
    assert set(notices.values_list("status", flat=True)) == {NoticeStatus.SENT}
    emailed = Counter(int(m.extra_headers["X-Portal-Notice"]) for m in mail.outbox)
    email_ids = set(notices.filter(channel=Channel.EMAIL).values_list("pk", flat=True))
    assert set(emailed) == email_ids  # none lost
    assert set(emailed.values()) == {1}  # none twice
    return notices


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_march_clock_change(referrer, people, django_capture_on_commit_callbacks):
    referrals, reports = run_timeline(
        referrer, people, MARCH,
        every_half_hour(utc(2026, 3, 27, 16, 0), utc(2026, 3, 30, 17, 30)),
        django_capture_on_commit_callbacks,
    )
    assert clocks_of(referrals) == EXPECTED_MARCH
    assert_each_recorded_once(referrals, EXPECTED_MARCH)
    assert sum(r["warned"] for _, r in reports) == len(EXPECTED_MARCH)
    assert sum(r["breached"] for _, r in reports) == len(EXPECTED_MARCH)
    notices = assert_every_notice_sent_once(referrals)
    # Warning: to the manager (email and portal); breach: to the manager and the duty manager.
    assert notices.filter(kind="deadline_warning").count() == 2 * len(EXPECTED_MARCH)
    assert notices.filter(kind="deadline_breach").count() == 4 * len(EXPECTED_MARCH)
    assert notices.filter(kind="acknowledgement").count() == 2 * len(MARCH)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_october_clock_change_and_the_repeated_hour(referrer, people,
                                                       django_capture_on_commit_callbacks):
    referrals, reports = run_timeline(
        referrer, people, OCTOBER,
        every_half_hour(utc(2026, 10, 23, 15, 0), utc(2026, 10, 26, 17, 30)),
        django_capture_on_commit_callbacks,
    )
    # The night's sweeps, in local time: 00:30 BST, 01:00 BST, 01:30 BST, 01:00 GMT,
    # 01:30 GMT, 02:00 GMT. Each one recorded what fell due by then, in real time.
    night = {moment: report for moment, report in reports
             if utc(2026, 10, 24, 23, 30) <= moment <= utc(2026, 10, 25, 2, 0)}
    assert [(m.isoformat(), r["warned"], r["breached"], r["pickup_alerts"])
            for m, r in sorted(night.items())] == [
        ("2026-10-24T23:30:00+00:00", 1, 0, 0),  # the red rating's warning
        ("2026-10-25T00:00:00+00:00", 0, 0, 0),
        ("2026-10-25T00:30:00+00:00", 0, 0, 0),  # first 01:30 (BST): red not due yet
        ("2026-10-25T01:00:00+00:00", 0, 0, 1),  # 01:00 GMT: the urgent pick-up alert
        ("2026-10-25T01:30:00+00:00", 0, 1, 0),  # second 01:30 (GMT): red breached
        ("2026-10-25T02:00:00+00:00", 0, 0, 0),
    ]
    # Beat fires twice at each 01:30 (two beats, a catch-up run): nothing new is recorded.
    with django_capture_on_commit_callbacks(execute=True):
        repeats = [sweep(moment) for moment in (FIRST_0130, SECOND_0130) * 2]
    assert [(r["warned"], r["breached"], r["pickup_alerts"]) for r in repeats] == [(0, 0, 0)] * 4
    # An operator's catch-up run: a bare "01:30" that night is refused (which one?); each
    # 01:30 given with its offset runs and records nothing new.
    with pytest.raises(CommandError, match="happens twice"):
        call_command("clocks", "sweep", "--now", "2026-10-25T01:30")
    for moment in (FIRST_0130, SECOND_0130):
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("clocks", "sweep", "--now", moment, stdout=out)
        assert "warned 0, breached 0, urgent alerts 0" in out.getvalue()

    assert clocks_of(referrals) == EXPECTED_OCTOBER
    assert_each_recorded_once(referrals, EXPECTED_OCTOBER)
    urgent = referrals["urgent-after-midnight"]
    alerts = AuditEvent.objects.filter(action="referral.urgent_not_picked_up")
    assert list(alerts.values_list("referral_id", flat=True)) == [urgent.pk]
    assert sum(r["pickup_alerts"] for _, r in reports) == 1
    assert [m for m, r in reports if r["pickup_alerts"]] == [PICKUP_ALERTED_AT]

    notices = assert_every_notice_sent_once(referrals)
    oppd_clocks = len(EXPECTED_OCTOBER) - 2  # the child's two clocks go to the MASH manager
    assert notices.filter(kind="deadline_warning").count() == 2 * len(EXPECTED_OCTOBER)
    # Breaches: OPPD to the manager and the duty manager; MASH to its manager alone.
    assert notices.filter(kind="deadline_breach").count() == 4 * oppd_clocks + 2 * 2
    assert notices.filter(kind="urgent_not_picked_up").count() == 4
