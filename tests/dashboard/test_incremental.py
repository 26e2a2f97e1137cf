"""The incremental rebuild (PostgreSQL triggers record what changed) writes exactly what a full
rebuild from scratch would, and a rebuild with nothing changed reads nothing but its own
bookkeeping. The world is the hand-computed one of test_figures.py."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.models import (
    ClockCube,
    ClockFact,
    DirtyReferral,
    FeedbackPercentile,
    FeedbackTime,
    ReferralCube,
    ReferralFact,
)
from dashboard.refresh import summaries_rebuild
from pathways.models import Deadline
from referrals.models import Referral

from . import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TABLES = [ReferralCube, ClockCube, FeedbackTime, FeedbackPercentile, ReferralFact, ClockFact]


def snapshot() -> dict:
    """Every summary row, without surrogate ids, as a sorted list per table."""
    out = {}
    for model in TABLES:
        names = [fld.attname for fld in model._meta.concrete_fields if fld.attname != "id"]
        out[model.__name__] = sorted(
            tuple(str(v) for v in row) for row in model.objects.values_list(*names))
    return out


def new_referral(world, now):
    org = f.organisation("Peckham Food Bank")
    r = f.referral(received_at=now - timedelta(hours=2), org=org, urgent=True,
                   categories=["physical", "domestic"])
    f.deadline(r, "concern_decision", starts_at=now - timedelta(hours=2),
               due_at=now + timedelta(hours=4))


def decision(world, now):
    r = world[7]
    Referral.objects.filter(pk=r.pk).update(outcome="concern_not_met",
                                            status="concern_decided")
    Deadline.objects.filter(referral=r, kind="concern_decision").update(met_at=now)
    f.feedback(r, given_at=now + timedelta(minutes=5))
    f.notice(r, channel="email", sent_at=now + timedelta(minutes=5))


def reroute(world, now):
    r = world[2]
    r.pathway = "mental-health"
    r.save()
    Deadline.objects.filter(referral=r).update(cancelled_at=now, met_at=now)


def closure(world, now):
    r = world[5]
    r.status, r.closed_at = "closed", now - timedelta(hours=1)
    r.save()


def retention_deletion(world, now):
    from privacy.retention import referral_erase

    assert referral_erase(referral_id=world[4].pk, now=now, days=0)


def old_referral_changed(world, now):
    # January, outside every window but the 24-month one: facts, cubes and wide windows move.
    r = world[0]
    r.categories = ["physical", "neglect"]
    r.save()
    f.feedback(r, given_at=f.london(2026, 1, 16, 10))


def sector_changed(world, now):
    from accounts.models import Organisation

    Organisation.objects.filter(name="Met Police").update(sector="health")


def rag_rerated(world, now):
    r = world[6]
    f.event(r, "rag_rated", at=now - timedelta(hours=1), detail={"rating": "red"})
    Deadline.objects.filter(referral=r, kind="rag").update(
        cancelled_at=now - timedelta(hours=1), met_at=now - timedelta(hours=1))
    f.deadline(r, "rag", starts_at=now - timedelta(hours=1), due_at=now + timedelta(hours=3))


def nothing(world, now):
    """Time alone: r7's concern decision falls due at 17:00, between the two rebuilds."""


CASES = [
    (new_referral, timedelta(minutes=15)),
    (decision, timedelta(minutes=15)),
    (reroute, timedelta(minutes=15)),
    (closure, timedelta(minutes=15)),
    (retention_deletion, timedelta(minutes=15)),
    (old_referral_changed, timedelta(minutes=15)),
    (sector_changed, timedelta(minutes=15)),
    (rag_rerated, timedelta(minutes=15)),
    (nothing, timedelta(hours=6)),
    # A new week, month and quarter (1 May is a Friday): every window moves.
    (new_referral, timedelta(days=11)),
]


@pytest.mark.parametrize(("change", "later"), CASES,
                         ids=[f"{c.__name__}+{later}" for c, later in CASES])
def test_incremental_rebuild_equals_a_full_one(world, now, change, later):
    assert summaries_rebuild(now=now).mode == "full"  # the first one has nothing to build on
    before = snapshot()
    change(world, now)
    refresh = summaries_rebuild(now=now + later)
    assert refresh.mode == "incremental"
    # The changed referral (two for a sector: Met Police made one), plus any whose clocks
    # fell due meanwhile; never the whole world (eleven referrals, more after a new one).
    assert 1 <= refresh.referrals_recomputed <= (2 if later < timedelta(days=1) else 4)
    incremental = snapshot()
    assert summaries_rebuild(now=now + later, full=True).mode == "full"
    assert incremental == snapshot()
    if change is not nothing or later > timedelta(hours=1):
        assert incremental != before  # the change was seen (else the test proves nothing)


def test_several_rebuilds_in_a_row_stay_equal_to_a_full_one(world, now):
    summaries_rebuild(now=now)
    for step, (change, later) in enumerate(CASES[:8]):
        change(world, now)
        assert summaries_rebuild(now=now + later * (step + 1)).mode == "incremental"
    incremental = snapshot()
    summaries_rebuild(now=now + CASES[7][1] * 8, full=True)
    assert incremental == snapshot()


def test_a_rebuild_with_nothing_changed_reads_no_referral_table(world, now):
    summaries_rebuild(now=now)
    before = snapshot()
    with CaptureQueriesContext(connection) as queries:
        refresh = summaries_rebuild(now=now + timedelta(minutes=15))
    assert refresh.mode == "incremental" and refresh.referrals_recomputed == 0
    assert (refresh.referral_rows, refresh.clock_rows) == (0, 0)
    sql = [q["sql"] for q in queries.captured_queries]
    sources = ("referrals_referral", "pathways_deadline", "feedback_feedbackrecord",
               "feedback_notice")
    assert not [s for s in sql if any(name in s for name in sources)]
    # Lock, two settings, take the change list, previous rebuild, clocks falling due,
    # feedback times newly in range, the new SummaryRefresh row (and the savepoint pair).
    assert len(sql) <= 10, sql
    assert snapshot() == before


def test_changes_the_measures_do_not_read_are_not_recorded(world, now):
    summaries_rebuild(now=now)
    assert not DirtyReferral.objects.exists()
    Deadline.objects.update(warned_at=now, breached_at=now)  # the sweep's bookkeeping
    Referral.objects.filter(pk=world[1].pk).update(person_name="Changed")
    assert not DirtyReferral.objects.exists()
    Referral.objects.filter(pk=world[1].pk).update(outcome="concern_not_met")
    assert list(DirtyReferral.objects.values_list("referral_id", flat=True)) == [world[1].pk]


def test_a_full_rebuild_is_asked_for_by_a_null_row(world, now):
    summaries_rebuild(now=now)
    DirtyReferral.objects.create(referral_id=None)  # what TRUNCATE or a bulk statement write
    assert summaries_rebuild(now=now).mode == "full"
    assert summaries_rebuild(now=now).mode == "incremental"
