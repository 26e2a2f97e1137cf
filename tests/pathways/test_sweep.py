"""The sweep on real PostgreSQL rows: warnings and breaches once, to the right people."""

from datetime import timedelta

import pytest

from audit.models import AuditEvent
from outbox.models import Notice, NoticeStatus
from pathways.deadlines import deadline_meet, deadline_open, deadline_pause, deadline_resume
from pathways.models import Deadline
from referrals.sweep import deadlines_sweep

from .conftest import ldt

pytestmark = pytest.mark.django_db
MON_10 = ldt(2026, 3, 2, 10, 0)  # concern decision: warning 15:00, due 17:00


def notices(kind=None):
    """(kind, recipient) of the email notices; each has a portal twin (see portal_twins)."""
    found = Notice.objects.filter(channel="email")
    if kind:
        found = found.filter(kind=kind)
    return sorted((n.kind, n.recipient.email) for n in found)


def portal_twins():
    """Every email notice to a person has a portal notice with the same words."""
    email = sorted(
        Notice.objects.filter(channel="email", recipient__isnull=False).values_list(
            "recipient", "kind", "subject", "body"
        )
    )
    portal = sorted(
        Notice.objects.filter(channel="portal").values_list("recipient", "kind", "subject", "body")
    )
    return email == portal and len(email) > 0


@pytest.fixture
def concern(make_bare_referral, oppd_people):
    referral = make_bare_referral("oppd", assignee=oppd_people["worker"])
    deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    return referral


def test_nothing_happens_before_the_warning_point(concern):
    report = deadlines_sweep(now=ldt(2026, 3, 2, 14, 59))
    assert (report.warned, report.breached) == (0, 0)
    assert not Notice.objects.exists()


def test_warning_goes_to_assignee_and_manager_once(
    concern, oppd_people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = deadlines_sweep(now=ldt(2026, 3, 2, 15, 0))
    assert (report.warned, report.breached, report.notices) == (1, 0, 4)
    assert notices() == [
        ("deadline_warning", "manager.oppd@council.example.gov.uk"),
        ("deadline_warning", "triage.oppd@council.example.gov.uk"),
    ]
    deadline = Deadline.objects.get(referral=concern)
    assert deadline.warned_at == ldt(2026, 3, 2, 15, 0) and deadline.breached_at is None
    # Sent after commit through feedback's task (eager here), by email.
    assert sorted(m.to[0] for m in mailoutbox) == [
        "manager.oppd@council.example.gov.uk",
        "triage.oppd@council.example.gov.uk",
    ]
    assert mailoutbox[0].subject == f"Due soon: referral {concern.reference}"
    assert (
        "concern decision" in mailoutbox[0].body
        and "5pm on Monday 2 March 2026" in mailoutbox[0].body
    )
    assert "Alex" not in mailoutbox[0].body  # no personal details in a notice
    assert Notice.objects.filter(status=NoticeStatus.SENT).count() == 4
    assert portal_twins()

    again = deadlines_sweep(now=ldt(2026, 3, 2, 15, 1))
    assert (again.warned, again.notices) == (0, 0)
    assert Notice.objects.count() == 4
    assert AuditEvent.objects.filter(action="deadline.warned").count() == 1


def test_breach_goes_to_manager_and_duty_manager_once(concern, oppd_people):
    deadlines_sweep(now=ldt(2026, 3, 2, 15, 0))
    report = deadlines_sweep(now=ldt(2026, 3, 2, 17, 0))
    assert (report.warned, report.breached, report.notices) == (0, 1, 4)
    assert notices("deadline_breach") == [
        ("deadline_breach", "duty.oppd@council.example.gov.uk"),
        ("deadline_breach", "manager.oppd@council.example.gov.uk"),
    ]
    before = list(Deadline.objects.values_list("warned_at", "breached_at"))
    for minute in (0, 1, 30):
        rerun = deadlines_sweep(now=ldt(2026, 3, 2, 17, minute))
        assert (rerun.warned, rerun.breached, rerun.notices) == (0, 0, 0)
    assert list(Deadline.objects.values_list("warned_at", "breached_at")) == before
    assert Notice.objects.count() == 8 and portal_twins()
    assert AuditEvent.objects.filter(action="deadline.breached").count() == 1


def test_a_late_sweep_breaches_without_a_stale_warning(concern):
    report = deadlines_sweep(now=ldt(2026, 3, 3, 9, 0))  # it never ran at 15:00
    assert (report.warned, report.breached) == (0, 1)
    assert not Notice.objects.filter(kind="deadline_warning").exists()
    deadline = Deadline.objects.get(referral=concern)
    assert deadline.warned_at == deadline.breached_at == ldt(2026, 3, 3, 9, 0)


def test_met_and_paused_clocks_are_left_alone(make_referral, oppd_people):
    met = make_referral("oppd")
    deadline_open(referral=met, kind="concern_decision", starts=MON_10)
    deadline_meet(referral=met, kind="concern_decision", at=ldt(2026, 3, 2, 12, 0))
    paused = make_referral("oppd")
    deadline_open(referral=paused, kind="concern_decision", starts=MON_10)
    deadline_pause(
        referral=paused, kind="concern_decision", at=ldt(2026, 3, 2, 11), reason="police"
    )
    report = deadlines_sweep(now=ldt(2026, 3, 9, 9, 0))
    assert (report.warned, report.breached) == (0, 0)
    # Resumed a week later: five working days were paused, so it is due Mon 9 Mar 17:00.
    resumed = deadline_resume(referral=paused, kind="concern_decision", at=ldt(2026, 3, 9, 9, 0))
    assert resumed.due_at == ldt(2026, 3, 9, 17, 0)
    assert deadlines_sweep(now=ldt(2026, 3, 9, 15, 0)).warned == 1
    assert deadlines_sweep(now=ldt(2026, 3, 9, 17, 0)).breached == 1


def test_urgent_referral_not_picked_up_alerts_the_managers_once(make_bare_referral, oppd_people):
    referral = make_bare_referral("oppd", urgent=True)  # received Monday 10:00
    deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    assert deadlines_sweep(now=ldt(2026, 3, 2, 10, 59)).pickup_alerts == 0
    report = deadlines_sweep(now=ldt(2026, 3, 2, 11, 0))
    assert (report.pickup_alerts, report.notices) == (1, 4)
    assert notices("urgent_not_picked_up") == [
        ("urgent_not_picked_up", "duty.oppd@council.example.gov.uk"),
        ("urgent_not_picked_up", "manager.oppd@council.example.gov.uk"),
    ]
    notice = Notice.objects.filter(kind="urgent_not_picked_up", channel="email").first()
    assert notice.subject == f"Urgent referral not picked up: {referral.reference}"
    assert "10am on Monday 2 March 2026" in notice.body and "Alex" not in notice.body
    for minute in (1, 2, 30):
        assert deadlines_sweep(now=ldt(2026, 3, 2, 11, minute)).pickup_alerts == 0
    assert Notice.objects.count() == 4 and portal_twins()
    event = AuditEvent.objects.get(action="referral.urgent_not_picked_up")
    assert event.referral_id == referral.pk
    # It is not a deadline row: other pages' "next due" see only the decision clock.
    assert list(Deadline.objects.values_list("kind", flat=True)) == ["concern_decision"]


@pytest.mark.parametrize("how", ["assigned", "decided", "not urgent"])
def test_urgent_referral_dealt_with_in_time_alerts_nobody(make_referral, oppd_people, how):
    referral = make_referral("oppd", urgent=how != "not urgent")
    deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    if how == "assigned":
        referral.assignee = oppd_people["worker"]
        referral.save()
    if how == "decided":  # decided (or merged, withdrawn) without anyone claiming it
        deadline_meet(referral=referral, kind="concern_decision", at=ldt(2026, 3, 2, 10, 40))
    assert deadlines_sweep(now=ldt(2026, 3, 2, 11, 0)).pickup_alerts == 0
    assert not Notice.objects.filter(kind="urgent_not_picked_up").exists()


def test_urgent_pickup_time_is_the_administrators_policy(make_referral, oppd_people):
    from pathways.models import ClockPolicy

    ClockPolicy.objects.filter(pathway="oppd", kind="urgent_pickup").update(amount=2)
    deadline_open(
        referral=make_referral("oppd", urgent=True), kind="concern_decision", starts=MON_10
    )
    assert deadlines_sweep(now=ldt(2026, 3, 2, 11, 30)).pickup_alerts == 0
    assert deadlines_sweep(now=ldt(2026, 3, 2, 12, 0)).pickup_alerts == 1


def test_batches_are_bounded_and_the_next_run_catches_up(make_referral, oppd_people):
    for _ in range(5):
        deadline_open(referral=make_referral("oppd"), kind="concern_decision", starts=MON_10)
    first = deadlines_sweep(now=ldt(2026, 3, 2, 17, 0), batch_size=2, max_batches=1)
    assert first.breached == 2
    assert Deadline.objects.filter(breached_at__isnull=True).count() == 3
    second = deadlines_sweep(now=ldt(2026, 3, 2, 17, 1), batch_size=2, max_batches=2)
    third = deadlines_sweep(now=ldt(2026, 3, 2, 17, 2), batch_size=2, max_batches=2)
    assert (second.breached, third.breached) == (3, 0)


def test_team_inbox_when_nobody_is_set_up(make_bare_referral, teams):
    teams["mash"].email = "mash-duty@council.example.gov.uk"
    teams["mash"].save()
    referral = make_bare_referral("mash")
    deadline_open(referral=referral, kind="mash_decision", starts=MON_10)
    report = deadlines_sweep(now=ldt(2026, 3, 3, 10, 0))
    assert report.notices == 1
    assert Notice.objects.get().recipient_email == "mash-duty@council.example.gov.uk"


def test_sweep_query_count_does_not_grow_with_quiet_deadlines(
    make_referral, django_assert_max_num_queries
):
    for _ in range(20):
        deadline_open(referral=make_referral("oppd"), kind="concern_decision", starts=MON_10)
    # Nothing due: one query per pass (plus savepoints), whatever the number of rows.
    with django_assert_max_num_queries(9):
        deadlines_sweep(now=MON_10 + timedelta(minutes=1))
