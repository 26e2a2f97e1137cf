"""Referral.next_due_at / next_paused_at after every kind of clock change.

The triage queue orders by these columns (its index), so after each service in
pathways.deadlines they must equal the first running clock's due time and pause, read back from
the database, in the same transaction as the change.
"""

from datetime import timedelta

import pytest

from pathways.deadlines import (
    deadline_meet,
    deadline_open,
    deadline_pause,
    deadline_reroute,
    deadline_resume,
    referral_clock_sync,
)
from pathways.models import Deadline, PauseReason

from .conftest import ldt

pytestmark = pytest.mark.django_db
MON_10 = ldt(2026, 3, 2, 10, 0)
TUE_10 = ldt(2026, 3, 3, 10, 0)


def _open(kind, starts=MON_10, **extra):
    return lambda r: deadline_open(referral=r, kind=kind, starts=starts, **extra)


def _meet(kind, at=TUE_10):
    return lambda r: deadline_meet(referral=r, kind=kind, at=at)


def _pause(kind, at=MON_10 + timedelta(hours=1)):
    return lambda r: deadline_pause(referral=r, kind=kind, at=at,
                                    reason=PauseReason.values[0], note="waiting")


def _resume(kind, at=TUE_10):
    return lambda r: deadline_resume(referral=r, kind=kind, at=at)


def _reroute(pathway):
    def step(referral):
        from accounts.models import Team

        referral.pathway, referral.team = pathway, Team.objects.get(pathway=pathway)
        referral.save(update_fields=["pathway", "team"])
        deadline_reroute(referral=referral, at=TUE_10)

    return step


# (pathway, steps): after every step the columns must match the running clocks.
SCENARIOS = {
    "open one, then a later one, then meet the first": (
        "oppd", [_open("concern_decision"), _open("feedback"), _meet("concern_decision")]),
    "open a later one, then an earlier one": (
        "oppd", [_open("feedback"), _open("concern_decision")]),
    "pause then resume moves the due time": (
        "oppd", [_open("concern_decision"), _pause("concern_decision"),
                 _resume("concern_decision")]),
    "pause the first of two": (
        "oppd", [_open("concern_decision"), _open("enquiry"), _pause("concern_decision")]),
    "meet the last clock: none left": (
        "oppd", [_open("concern_decision"), _meet("concern_decision")]),
    "re-rating restarts (cancels) the rag clock": (
        "mash", [_open("mash_decision"), _open("rag", variant="green"),
                 _open("rag", starts=TUE_10, variant="red")]),
    "re-route keeps the start, cancels what does not apply": (
        "oppd", [_open("concern_decision"), _open("enquiry"), _reroute("mash")]),
    "opening the other decision clock re-routes": (
        "oppd", [_open("concern_decision"), _reroute("mash"), _open("mash_decision")]),
}


def _expected(referral):
    first = (Deadline.objects.open().filter(referral=referral).order_by("due_at", "id")
             .values_list("due_at", "paused_at").first())
    return first or (None, None)


def _stored(referral):
    from referrals.models import Referral

    return tuple(Referral.objects.filter(pk=referral.pk)
                 .values_list("next_due_at", "next_paused_at").get())


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_next_clock_follows_every_change(name, make_bare_referral):
    pathway, steps = SCENARIOS[name]
    referral = make_bare_referral(pathway)
    assert _stored(referral) == (None, None)
    seen = []
    for number, step in enumerate(steps, 1):
        step(referral)
        assert _stored(referral) == _expected(referral), f"{name}: after step {number}"
        seen.append(_stored(referral))
    # Each scenario moves the columns at least once (the table tests something).
    assert len(set(seen)) > 1 or seen[-1] != (None, None)


def test_pause_and_resume_are_seen_by_the_queue_columns(make_referral):
    referral = make_referral("oppd")
    deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    due = _stored(referral)[0]
    _pause("concern_decision")(referral)
    assert _stored(referral) == (due, MON_10 + timedelta(hours=1))
    _resume("concern_decision")(referral)
    moved, paused = _stored(referral)
    assert paused is None and moved > due


def test_a_stale_instance_saved_whole_does_not_write_back_an_old_next_clock(make_referral):
    """The service forgets the instance's copy, so a later full save() cannot undo it."""
    referral = make_referral("oppd")
    deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    referral.person_name = "Alex Changed"
    referral.save()
    assert _stored(referral) == _expected(referral) != (None, None)
    assert referral.next_due_at == _expected(referral)[0]  # reloads on access


def test_sync_repairs_a_referral_whose_clocks_were_written_directly(make_referral):
    referral = make_referral("oppd")
    deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    Deadline.objects.filter(referral=referral).update(due_at=TUE_10)  # planted: the repair
    assert _stored(referral)[0] != TUE_10
    referral_clock_sync(referral)
    assert _stored(referral) == (TUE_10, None)
