"""The incremental rebuild (PostgreSQL triggers record what changed) writes exactly what a full
rebuild from scratch would, and a rebuild with nothing changed reads nothing but its own
bookkeeping. The world is the hand-computed one of test_figures.py."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.vocabulary import Outcome
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
from referrals.models import Referral
from tests.factories import triage
from tests.factories.feedback import sweep
from tests.factories.referrals import referral_with

from . import factories as f
from .world import send

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
    referrer = f.referrer(f.organisation("Peckham Food Bank"))
    referral_with(referrer, received_at=now - timedelta(hours=2), urgent=True,
                  categories=["physical", "domestic"])


def decision(world, now):
    r = world[7]
    triage.decide(r, Outcome.CONCERN_NOT_MET, now=now)
    send(r, now=now + timedelta(minutes=5))


def reroute(world, now):
    triage.reroute(world[2], "mental-health", now=now)


def closure(world, now):
    # r1 (section 42 met, feedback emailed): its team manager closes it.
    r = world[1]
    triage.close(r, now=now - timedelta(hours=1))
    send(r, now=now - timedelta(hours=1))


def retention_deletion(world, now):
    from privacy.retention import referral_erase

    assert referral_erase(referral_id=world[4].pk, now=now, days=0)


def old_referral_changed(world, now):
    # Received in January, outside every window but the 24-month one: closed now, so its facts
    # and the wide windows move.
    r = world[0]
    triage.close(r, now=now - timedelta(hours=1))
    send(r, now=now - timedelta(hours=1))


def sector_changed(world, now):
    from accounts.models import Organisation

    # What the admin form writes (organisations have no service).
    Organisation.objects.filter(name="Met Police").update(sector="health")


def rag_rerated(world, now):
    # r6 was green; re-rated red an hour ago: the green clock ends and a red one starts.
    triage.rag_rate(world[6], "red", now=now - timedelta(hours=1))


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
    # The sweep's bookkeeping: r7's concern decision breaches at 17:00 (warned_at, breached_at).
    assert sweep(now=now + timedelta(hours=6)).breached == 1
    # A column the measures do not read; no service edits a submitted referral's name.
    Referral.objects.filter(pk=world[1].pk).update(  # planted: a column the triggers ignore
        person_name="Changed")
    assert not DirtyReferral.objects.exists()
    triage.decide(world[7], Outcome.CONCERN_NOT_MET, now=now + timedelta(hours=7))
    assert set(DirtyReferral.objects.values_list("referral_id", flat=True)) == {world[7].pk}


def test_a_full_rebuild_is_asked_for_by_a_null_row(world, now):
    summaries_rebuild(now=now)
    DirtyReferral.objects.create(referral_id=None)  # what TRUNCATE or a bulk statement write
    assert summaries_rebuild(now=now).mode == "full"
    assert summaries_rebuild(now=now).mode == "incremental"
