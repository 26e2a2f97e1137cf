"""Two sweeps at once, each on its own PostgreSQL connection (threads): work shared, not doubled.

Transactional tests (committed rows other connections can see); serialized_rollback puts back
the migration-made teams and clock policies afterwards.
"""

import threading

import pytest
from django.db import connection, transaction

from audit.models import AuditEvent
from outbox.models import Notice
from pathways.deadlines import deadline_open
from pathways.models import Deadline
from referrals.sweep import deadlines_sweep

from .conftest import ldt

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
MON_10 = ldt(2026, 3, 2, 10, 0)
AFTER_DUE = ldt(2026, 3, 2, 17, 5)


def in_thread(target, *args, **kwargs):
    """Run `target` on a new thread with its own database connection; returns (thread, box)."""
    box = {}

    def run():
        try:
            box["result"] = target(*args, **kwargs)
        except BaseException as error:  # reported by the test, not lost in the thread
            box["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


def overdue(make_referral, count):
    for _ in range(count):
        deadline_open(referral=make_referral("oppd"), kind="concern_decision", starts=MON_10)


def test_two_sweeps_at_once_breach_each_deadline_once(make_referral, oppd_people):
    overdue(make_referral, 30)
    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait(timeout=10)
        return deadlines_sweep(now=AFTER_DUE, batch_size=3)

    runs = [in_thread(sweep) for _ in range(2)]
    for thread, _box in runs:
        thread.join(timeout=60)
    errors = [box["error"] for _thread, box in runs if "error" in box]
    assert errors == []
    reports = [box["result"] for _thread, box in runs]
    assert sum(r.breached for r in reports) == 30
    assert sum(r.notices for r in reports) == 120  # manager and duty manager, email + portal
    assert not Deadline.objects.filter(breached_at__isnull=True).exists()
    assert Notice.objects.filter(kind="deadline_breach").count() == 120
    assert AuditEvent.objects.filter(action="deadline.breached").count() == 30


def test_a_locked_deadline_is_skipped_not_waited_for(make_referral, oppd_people):
    """SKIP LOCKED: while another worker holds a row, the sweep takes the others at once."""
    overdue(make_referral, 3)
    held = Deadline.objects.order_by("id").first()
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        with transaction.atomic():
            Deadline.objects.select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(timeout=30)

    holder, holder_box = in_thread(hold_lock)
    assert locked.wait(timeout=10)
    try:
        sweeper, box = in_thread(deadlines_sweep, now=AFTER_DUE)
        sweeper.join(timeout=15)
        assert not sweeper.is_alive(), "the sweep waited for a locked row"
        assert "error" not in box
        assert box["result"].breached == 2
        assert Deadline.objects.get(pk=held.pk).breached_at is None
    finally:
        release.set()
        holder.join(timeout=10)
    assert "error" not in holder_box
    assert deadlines_sweep(now=AFTER_DUE).breached == 1  # the next run picks it up
    assert Notice.objects.filter(kind="deadline_breach").count() == 12


def test_two_sweeps_at_once_alert_an_unclaimed_urgent_referral_once(make_referral, oppd_people):
    for _ in range(8):
        deadline_open(
            referral=make_referral("oppd", urgent=True), kind="concern_decision", starts=MON_10
        )
    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait(timeout=10)
        return deadlines_sweep(now=ldt(2026, 3, 2, 11, 0), batch_size=3)

    runs = [in_thread(sweep) for _ in range(2)]
    for thread, _box in runs:
        thread.join(timeout=60)
    assert [box.get("error") for _thread, box in runs] == [None, None]
    first, second = (box["result"] for _thread, box in runs)
    # Each run works through the line in batches, skipping rows the other holds: between them
    # every referral is alerted exactly once, and later runs find nothing left.
    assert first.pickup_alerts + second.pickup_alerts == 8
    assert deadlines_sweep(now=ldt(2026, 3, 2, 11, 1)).pickup_alerts == 0
    assert AuditEvent.objects.filter(action="referral.urgent_not_picked_up").count() == 8
    assert Notice.objects.filter(kind="urgent_not_picked_up").count() == 32
