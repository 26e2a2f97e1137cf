"""The sweep is set-based: a batch costs the same queries for 3 clocks as for 40, across teams,
and writes the same audit rows and notices the one-clock-at-a-time sweep wrote."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from outbox.models import Notice
from pathways.deadlines import deadline_open
from pathways.models import Deadline
from referrals.sweep import deadlines_sweep

from .conftest import ldt

pytestmark = pytest.mark.django_db
MON_10 = ldt(2026, 3, 2, 10, 0)  # concern decision due 17:00; MASH decision due Tue 10:00


@pytest.fixture
def mash_manager(staff_member):
    return staff_member("mash", "manager")


def open_clocks(make_referral, count, start, assignee=None):
    for n in range(count):
        pathway = "oppd" if n % 2 else "mash"
        kind = "concern_decision" if pathway == "oppd" else "mash_decision"
        referral = make_referral(pathway, assignee=assignee if pathway == "oppd" else None)
        deadline_open(referral=referral, kind=kind, starts=start)


def sweep_queries(now):
    with CaptureQueriesContext(connection) as queries:
        report = deadlines_sweep(now=now)
    return report, [q["sql"].split()[0] for q in queries.captured_queries]


@pytest.mark.postgres  # SQLite splits a bulk INSERT by its limit on parameters per statement
def test_a_batch_is_the_same_queries_for_3_clocks_or_40(
    make_referral, oppd_people, mash_manager
):
    open_clocks(make_referral, 3, MON_10, assignee=oppd_people["worker"])
    few, few_queries = sweep_queries(ldt(2026, 3, 3, 12, 0))  # both kinds overdue
    open_clocks(make_referral, 40, ldt(2026, 3, 3, 10, 0), assignee=oppd_people["worker"])
    many, many_queries = sweep_queries(ldt(2026, 3, 4, 12, 0))
    assert (few.breached, many.breached) == (3, 40)
    assert many.notices > few.notices > 0
    assert many_queries == few_queries
    # Pick-up (one select), then per batch: lock-and-mark, read, the teams' people, the audit
    # rows, the notices; the empty warning batch is its lock-and-mark only. Savepoints aside.
    work = [q for q in many_queries if q not in ("SAVEPOINT", "RELEASE")]
    assert work == ["SELECT", "WITH", "SELECT", "SELECT", "INSERT", "INSERT", "WITH"]


def test_audit_rows_and_notices_say_what_the_per_clock_sweep_said(make_referral, oppd_people):
    referral = make_referral("oppd", assignee=oppd_people["worker"])
    deadline = deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    deadlines_sweep(now=ldt(2026, 3, 2, 15, 0))
    deadlines_sweep(now=ldt(2026, 3, 2, 17, 0))
    events = AuditEvent.objects.filter(
        referral_id=referral.pk, action__in=["deadline.warned", "deadline.breached"]
    ).order_by("id")
    assert [
        (e.action, e.actor_id, e.object_type, e.object_id, e.detail, e.allowed, e.path)
        for e in events
    ] == [
        ("deadline.warned", None, "pathways.deadline", str(deadline.pk),
         {"kind": "concern_decision", "due_at": "2026-03-02T17:00:00+00:00"}, True, ""),
        ("deadline.breached", None, "pathways.deadline", str(deadline.pk),
         {"kind": "concern_decision", "due_at": "2026-03-02T17:00:00+00:00"}, True, ""),
    ]
    manager = oppd_people["manager"]
    warning = Notice.objects.get(kind="deadline_warning", recipient=manager, channel="email")
    assert warning.dedupe_key == (
        f"deadline:{deadline.pk}:warning:{int(deadline.warning_at.timestamp())}:user:{manager.pk}"
    )
    assert warning.referral_id == referral.pk
    assert warning.recipient_email == manager.email
    breach = Notice.objects.get(kind="deadline_breach", recipient=manager, channel="portal")
    assert breach.dedupe_key == f"deadline:{deadline.pk}:breach:user:{manager.pk}:portal"
    assert breach.body == (
        f"The concern decision for referral {referral.reference} was due by 5pm on Monday "
        "2 March 2026 and has not been met. It is on the team's breach list."
    )


def test_an_inactive_manager_is_not_told(make_bare_referral, oppd_people):
    oppd_people["manager"].is_active = False
    oppd_people["manager"].save()
    deadline_open(referral=make_bare_referral("oppd"), kind="concern_decision", starts=MON_10)
    deadlines_sweep(now=ldt(2026, 3, 2, 17, 0))
    assert sorted(Notice.objects.values_list("recipient__email", flat=True)) == [
        "duty.oppd@council.example.gov.uk", "duty.oppd@council.example.gov.uk",
    ]


def test_a_referral_without_a_team_tells_its_pathways_team(make_bare_referral, oppd_people):
    deadline_open(
        referral=make_bare_referral("oppd", team=False), kind="concern_decision", starts=MON_10
    )
    report = deadlines_sweep(now=ldt(2026, 3, 2, 17, 0))
    assert (report.breached, report.notices) == (1, 4)


def test_a_breach_already_in_the_outbox_is_not_written_or_counted_again(
    make_bare_referral, oppd_people
):
    """The dedupe key holds even if the clock's marks were lost (restored from a backup)."""
    deadline_open(referral=make_bare_referral("oppd"), kind="concern_decision", starts=MON_10)
    assert deadlines_sweep(now=ldt(2026, 3, 2, 17, 0)).notices == 4
    Deadline.objects.update(breached_at=None, warned_at=None)  # planted: a backup's lost marks
    again = deadlines_sweep(now=ldt(2026, 3, 2, 17, 5))
    assert (again.breached, again.notices) == (1, 0)
    assert Notice.objects.count() == 4


def test_a_backlog_of_urgent_pickups_is_cleared_in_one_run(make_referral, oppd_people,
                                                           monkeypatch):
    """After an outage, every unclaimed urgent referral is alerted in the next sweep, batch by
    batch, not PICKUP_BATCH a minute; and one not yet due stops the line without re-reading."""
    from referrals import sweep

    monkeypatch.setattr(sweep, "PICKUP_BATCH", 2)
    start = ldt(2026, 3, 2, 10, 0)
    for minutes in range(5):  # received 10:00 to 10:04, so due 11:00 to 11:04
        referral = make_referral("oppd", urgent=True, received_at=start + timedelta(minutes=minutes))
        deadline_open(referral=referral, kind="concern_decision", starts=referral.received_at)
    assert deadlines_sweep(now=ldt(2026, 3, 2, 11, 2)).pickup_alerts == 3
    assert deadlines_sweep(now=ldt(2026, 3, 2, 11, 2)).pickup_alerts == 0
    assert deadlines_sweep(now=ldt(2026, 3, 2, 12, 0)).pickup_alerts == 2


def test_the_sweeps_audit_rows_are_the_record_writers_field_by_field(make_referral, oppd_people):
    """The sweep writes its audit rows from plain tuples (audit_record_system_bulk): each is
    the row audit_row (the ordinary writer) builds for the deadline, every field but id and
    the time."""
    from audit.services import audit_row
    from core.vocabulary import AuditAction

    referral = make_referral("oppd", assignee=oppd_people["worker"])
    deadline = deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    deadlines_sweep(now=ldt(2026, 3, 2, 15, 0))
    deadlines_sweep(now=ldt(2026, 3, 2, 17, 0))
    detail = {"kind": "concern_decision", "due_at": deadline.due_at.isoformat()}
    expected = [
        audit_row(action=action, referral=referral, obj=deadline, detail=detail)
        for action in (AuditAction.DEADLINE_WARNED, AuditAction.DEADLINE_BREACHED)
    ]
    written = list(AuditEvent.objects.filter(id__gt=before).order_by("id"))

    def fields(row):
        return {f.attname: getattr(row, f.attname) for f in AuditEvent._meta.concrete_fields
                if f.attname not in ("id", "at")}

    assert [fields(row) for row in written] == [fields(row) for row in expected]


@pytest.mark.postgres
def test_a_batch_builds_no_model_instance_per_clock(make_referral, oppd_people, mash_manager):
    """What makes a batch cheap (issue 19): the clocks are read as tuples and the audit rows
    and notices written from tuples, so no Deadline, Referral, AuditEvent or Notice instance
    is built, and the instances that are (the teams' people, each team and assignee once) do
    not grow with the number of clocks."""
    from django.db.models.signals import post_init

    from referrals.models import Referral

    built = []

    def count(sender, **kwargs):
        built.append(sender)

    def sweep(now):
        built[:] = []
        post_init.connect(count)
        try:
            return deadlines_sweep(now=now), list(built)
        finally:
            post_init.disconnect(count)

    open_clocks(make_referral, 4, MON_10, assignee=oppd_people["worker"])
    few, few_built = sweep(ldt(2026, 3, 3, 12, 0))  # both kinds overdue
    open_clocks(make_referral, 40, ldt(2026, 3, 3, 10, 0), assignee=oppd_people["worker"])
    many, built = sweep(ldt(2026, 3, 4, 12, 0))
    assert (few.breached, many.breached) == (4, 40)
    assert not {Deadline, Referral, AuditEvent, Notice} & set(few_built + built)
    assert len(built) == len(few_built)
