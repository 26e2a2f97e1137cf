"""Deadline services on real rows: open, re-rate, re-route, pause, resume, meet, read."""

from datetime import date, timedelta

import pytest
from django.db import transaction

from audit.models import AuditEvent
from pathways.clocks import DEFAULT_RULES, pathway_default_rule, policy_kinds_for_pathway
from pathways.deadlines import (
    ClockError,
    breaches_for_team,
    deadline_explain,
    deadline_meet,
    deadline_open,
    deadline_pause,
    deadline_reroute,
    deadline_resume,
    due_status,
)
from pathways.models import ClockPolicy, ClosureDay, Deadline, PauseReason
from pathways.policies import working_calendar
from referrals.sweep import deadlines_sweep

from .conftest import ldt

pytestmark = pytest.mark.django_db
MON_10 = ldt(2026, 3, 2, 10, 0)


def test_open_uses_the_policy_and_is_audited(make_referral):
    referral = make_referral("oppd")
    deadline = deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    assert (deadline.due_at, deadline.warning_at) == (ldt(2026, 3, 2, 17), ldt(2026, 3, 2, 15))
    assert deadline.rule == {
        "amount": 0,
        "unit": "working_days",
        "warning_amount": 2,
        "warning_unit": "working_hours",
        "warning_anchor": "before_due",
    }
    event = AuditEvent.objects.get(action="deadline.opened")
    assert event.referral_id == referral.pk and event.detail["kind"] == "concern_decision"


def test_open_twice_returns_the_running_clock(make_referral):
    referral = make_referral("oppd")
    first = deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    again = deadline_open(
        referral=referral, kind="concern_decision", starts=MON_10 + timedelta(hours=3)
    )
    assert again.pk == first.pk and again.starts_at == MON_10
    assert Deadline.objects.filter(referral=referral).count() == 1


def test_opens_in_the_callers_transaction(make_bare_referral):
    referral = make_bare_referral("oppd")
    with pytest.raises(RuntimeError), transaction.atomic():
        deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
        raise RuntimeError("the workflow change failed")
    assert not Deadline.objects.filter(referral=referral).exists()


def test_a_policy_edit_changes_new_clocks_not_running_ones(make_referral):
    running = deadline_open(referral=make_referral("mash"), kind="mash_decision", starts=MON_10)
    ClockPolicy.objects.filter(pathway="mash", kind="mash_decision").update(amount=4)
    fresh = deadline_open(referral=make_referral("mash"), kind="mash_decision", starts=MON_10)
    assert fresh.due_at == ldt(2026, 3, 2, 14, 0)
    running.refresh_from_db()
    assert running.due_at == ldt(2026, 3, 3, 10, 0)


def test_closure_days_count(make_referral):
    ClosureDay.objects.create(date=date(2026, 3, 3), name="Council training day")
    deadline = deadline_open(
        referral=make_referral("oppd"), kind="feedback", starts=MON_10, calendar=working_calendar()
    )
    assert deadline.due_at == ldt(2026, 3, 4, 17, 0)


def test_unknown_or_wrong_pathway_clocks_are_refused(make_referral):
    with pytest.raises(ClockError, match="does not run on this pathway"):
        deadline_open(referral=make_referral("oppd"), kind="rag", starts=MON_10, variant="red")
    with pytest.raises(ClockError, match="no clock called"):
        deadline_open(referral=make_referral("oppd"), kind="lunch", starts=MON_10)
    with pytest.raises(ClockError, match="RAG rating"):
        deadline_open(referral=make_referral("mash"), kind="rag", starts=MON_10)


def test_re_rating_restarts_rag(make_bare_referral):
    referral = make_bare_referral("mash", rag_rating="red")
    red = deadline_open(referral=referral, kind="rag", starts=MON_10)
    assert red.due_at == ldt(2026, 3, 2, 14, 0) and red.variant == "red"
    referral.rag_rating = "green"
    green = deadline_open(referral=referral, kind="rag", starts=ldt(2026, 3, 2, 11, 0))
    red.refresh_from_db()
    assert (
        red.cancelled_at == ldt(2026, 3, 2, 11, 0) and red.cancelled_reason == "restarted (green)"
    )
    assert green.due_at == ldt(2026, 3, 5, 11, 0)
    assert list(Deadline.objects.open().filter(referral=referral)) == [green]
    # Readers that count running clocks by met_at IS NULL see one rag clock too.
    assert red.met_at == red.cancelled_at
    assert Deadline.objects.filter(referral=referral, kind="rag", met_at=None).count() == 1


def test_re_route_keeps_the_original_start(make_referral):
    referral = make_referral("oppd")
    concern = deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    enquiry = deadline_open(referral=referral, kind="enquiry", starts=MON_10)
    referral.pathway = "mash"
    referral.save()
    # The triage service opens the new pathway's decision clock; the start stays Monday 10:00.
    mash = deadline_open(referral=referral, kind="mash_decision", starts=ldt(2026, 3, 4, 9, 0))
    assert mash.pk == concern.pk and mash.kind == "mash_decision"
    assert mash.starts_at == MON_10
    assert mash.due_at == ldt(2026, 3, 3, 10, 0)  # MASH's 8 working hours from Monday 10:00
    enquiry.refresh_from_db()
    assert enquiry.cancelled_reason == "re-routed"  # no s42 enquiry on the children's pathway


def test_re_route_between_adult_pathways_uses_the_new_policy(make_referral):
    referral = make_referral("oppd")
    deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    ClockPolicy.objects.filter(pathway="mental-health", kind="concern_decision").update(amount=1)
    referral.pathway = "mental-health"
    referral.save()
    [kept] = deadline_reroute(referral=referral)
    assert kept.starts_at == MON_10 and kept.due_at == ldt(2026, 3, 3, 17, 0)


def test_urgent_referral_opens_only_its_decision_clock(make_referral):
    # The one-hour pick-up check is the sweep's, on the referral itself (tests/pathways/
    # test_sweep.py): pages that show "the next clock" see only real deadlines.
    referral = make_referral("oppd", urgent=True)
    deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    assert list(Deadline.objects.values_list("kind", flat=True)) == ["concern_decision"]
    with pytest.raises(ClockError, match="does not run on this pathway"):
        deadline_open(referral=referral, kind="urgent_pickup", starts=MON_10)


def test_pause_and_resume_move_the_due_time(make_bare_referral, oppd_people):
    referral = make_bare_referral("mash")
    deadline_open(referral=referral, kind="mash_decision", starts=ldt(2026, 3, 2, 9, 0))
    worker = oppd_people["worker"]
    pause = deadline_pause(
        referral=referral,
        kind="mash_decision",
        at=ldt(2026, 3, 2, 10, 0),
        reason=PauseReason.POLICE,
        actor=worker,
        note="DC Smith asked us to wait",
    )
    deadline = Deadline.objects.get(pk=pause.deadline_id)
    assert deadline.paused_at == ldt(2026, 3, 2, 10, 0)
    resumed = deadline_resume(
        referral=referral, kind="mash_decision", at=ldt(2026, 3, 2, 12, 0), actor=worker
    )
    assert resumed.paused_at is None
    assert resumed.due_at == ldt(2026, 3, 3, 11, 0)  # two paused working hours later
    pause.refresh_from_db()
    assert (pause.resumed_at, pause.resumed_by) == (ldt(2026, 3, 2, 12, 0), worker)
    paused_event = AuditEvent.objects.get(action="deadline.paused")
    assert paused_event.detail == {"kind": "mash_decision", "reason": "police"}
    assert "Smith" not in str(paused_event.detail)  # the note stays out of the audit detail
    assert AuditEvent.objects.get(action="deadline.resumed").detail["paused_minutes"] == 120


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"reason": "bored"}, "Choose why"),
        ({"reason": "other", "note": "  "}, "Explain why"),
        ({"reason": "police", "kind": "feedback"}, "no running feedback"),
        ({"reason": "police", "at": ldt(2026, 3, 1, 9, 0)}, "before it started"),
    ],
)
def test_pause_refuses_bad_requests_clearly(make_referral, kwargs, message):
    referral = make_referral("oppd")
    deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    arguments = {"referral": referral, "kind": "concern_decision", "at": MON_10, **kwargs}
    with pytest.raises(ClockError, match=message):
        deadline_pause(**arguments)


def test_pause_twice_and_resume_unpaused_are_refused(make_referral):
    referral = make_referral("oppd")
    deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    with pytest.raises(ClockError, match="no paused"):
        deadline_resume(referral=referral, kind="concern_decision", at=MON_10)
    deadline_pause(referral=referral, kind="concern_decision", at=MON_10, reason="advocate")
    with pytest.raises(ClockError, match="paused since Mon 2 Mar 2026 10:00 GMT"):
        deadline_pause(referral=referral, kind="concern_decision", at=MON_10, reason="advocate")
    with pytest.raises(ClockError, match="before it was paused"):
        deadline_resume(referral=referral, kind="concern_decision", at=ldt(2026, 3, 2, 9, 0))


def test_resume_re_arms_a_warning_that_moved_later(make_bare_referral):
    referral = make_bare_referral("mash")
    deadline_open(referral=referral, kind="mash_decision", starts=ldt(2026, 3, 2, 9, 0))
    # Due Mon 17:00, warned at 15:00 by the sweep.
    assert deadlines_sweep(now=ldt(2026, 3, 2, 15, 0)).warned == 1
    deadline_pause(
        referral=referral, kind="mash_decision", at=ldt(2026, 3, 2, 15, 30), reason="capacity"
    )
    resumed = deadline_resume(referral=referral, kind="mash_decision", at=ldt(2026, 3, 3, 9, 0))
    assert resumed.due_at == ldt(2026, 3, 3, 10, 30)
    # 2 working hours before Tue 10:30 is Mon 16:30 (inside the pause, so it warns on resume).
    assert resumed.warning_at == ldt(2026, 3, 2, 16, 30)
    assert resumed.warned_at is None  # the new warning point will be sent


def test_meet(make_referral):
    referral = make_referral("oppd")
    deadline_open(referral=referral, kind="concern_decision", starts=MON_10)
    deadline_pause(referral=referral, kind="concern_decision", at=MON_10, reason="agreed")
    assert deadline_meet(referral=referral, kind="concern_decision", at=ldt(2026, 3, 2, 16)) == 1
    deadline = Deadline.objects.get(referral=referral)
    assert deadline.met_at == ldt(2026, 3, 2, 16) and deadline.paused_at is None
    assert deadline.pauses.get().resumed_at == ldt(2026, 3, 2, 16)
    assert deadline_meet(referral=referral, kind="concern_decision", at=ldt(2026, 3, 2, 16)) == 0
    assert AuditEvent.objects.get(action="deadline.met").detail == {
        "kind": "concern_decision",
        "late": False,
    }


# ---- reads ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "now, state, text",
    [
        (
            ldt(2026, 3, 2, 10, 0),
            "on_time",
            "On time: due Tue 3 Mar 2026 10:00 GMT (8 working hours away).",
        ),
        (
            ldt(2026, 3, 2, 16, 0),
            "due_soon",
            "Due within two working hours: Tue 3 Mar 2026 10:00 GMT.",
        ),
        # Evening: only one working hour is left (09:00-10:00 tomorrow), though 15 real ones are.
        (
            ldt(2026, 3, 2, 19, 0),
            "due_soon",
            "Due within two working hours: Tue 3 Mar 2026 10:00 GMT.",
        ),
        (ldt(2026, 3, 3, 10, 0), "overdue", "Overdue: it was due Tue 3 Mar 2026 10:00 GMT."),
    ],
)
def test_due_status(make_referral, now, state, text):
    deadline = deadline_open(referral=make_referral("mash"), kind="mash_decision", starts=MON_10)
    status = due_status(deadline, now, working_calendar())
    assert (status.state, status.text) == (state, text)
    assert status.tag_class.startswith("govuk-tag--")


def test_due_status_of_closed_clocks(make_referral):
    referral = make_referral("mash", rag_rating="amber")
    deadline = deadline_open(referral=referral, kind="mash_decision", starts=MON_10)
    deadline_pause(referral=referral, kind="mash_decision", at=MON_10, reason="police")
    deadline.refresh_from_db()
    assert due_status(deadline, MON_10).label == "Paused"
    deadline_meet(referral=referral, kind="mash_decision", at=ldt(2026, 3, 4, 9, 0))
    deadline.refresh_from_db()
    status = due_status(deadline, ldt(2026, 3, 5, 9, 0))
    assert (status.state, status.label) == ("met_late", "Met late")
    rag = deadline_open(referral=referral, kind="rag", starts=MON_10)
    deadline_open(referral=referral, kind="rag", starts=MON_10, variant="red")
    rag.refresh_from_db()
    assert due_status(rag, MON_10).text == "Closed: restarted (red)."


def test_breaches_for_team(make_bare_referral, teams):
    def opened(referral, starts=MON_10):
        return deadline_open(referral=referral, kind="concern_decision", starts=starts)

    mine = opened(make_bare_referral("oppd"))
    unassigned_team = opened(make_bare_referral("oppd", team=False))
    met_late = make_bare_referral("oppd")
    opened(met_late)
    opened(make_bare_referral("mental-health"))  # another team's
    opened(make_bare_referral("oppd"), starts=ldt(2026, 3, 3, 10))  # not due until Tuesday 17:00
    # Due Monday 17:00; the sweep a minute later breaches the four opened on Monday.
    assert deadlines_sweep(now=ldt(2026, 3, 2, 17, 1)).breached == 4
    deadline_meet(referral=met_late, kind="concern_decision", at=ldt(2026, 3, 3, 9))  # off the list
    assert set(breaches_for_team(teams["oppd"])) == {mine, unassigned_team}


# ---- policies -----------------------------------------------------------------------------------


def test_policy_rows_are_the_issue_defaults():
    """The data migration's literals and pathways.clocks.DEFAULT_RULES say the same thing."""
    rows = {(p.pathway, p.kind, p.variant): p.to_rule() for p in ClockPolicy.objects.all()}
    # Issue 16 added the All Age Disability service (the adults' clocks) and the LADO (its
    # initial consideration in one working day: pathway_default_rule).
    expected = {
        (pathway, kind, variant): pathway_default_rule(pathway, kind, variant)
        for (kind, variant) in DEFAULT_RULES
        for pathway in ("oppd", "mental-health", "learning-disabilities", "mash",
                        "all-age-disability", "lado")
        if kind in policy_kinds_for_pathway(pathway)
    }
    assert rows == expected
    assert len(rows) == 4 * 4 + 6 + 3 + 2 * 6  # issue 16: AAD, LADO; issue 15: challenge and call-back, every team


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"pathway": "mash", "kind": "enquiry"}, "kind"),
        ({"pathway": "mash", "kind": "rag", "variant": ""}, "variant"),
        ({"pathway": "oppd", "kind": "feedback", "variant": "red"}, "variant"),
        ({"pathway": "oppd", "kind": "feedback", "amount": 0, "unit": "working_hours"}, "amount"),
    ],
)
def test_policy_validation(changes, field):
    from django.core.exceptions import ValidationError

    policy = ClockPolicy(
        **{
            "amount": 1,
            "unit": "working_days",
            "warning_amount": 2,
            "warning_unit": "working_hours",
            "variant": "",
            **changes,
        }
    )
    with pytest.raises(ValidationError) as error:
        policy.clean()
    assert field in error.value.message_dict


def test_a_row_written_without_a_rule_uses_the_pathways_policy(make_bare_referral):
    """Bulk-loaded history (the dashboard's demo) has no stored rule: explain and resume still
    work, from the pathway's current policy."""
    referral = make_bare_referral("mash")
    Deadline.objects.create(  # planted: a row from before clocks stored their rule
        referral=referral,
        kind="mash_decision",
        starts_at=MON_10,
        warning_at=MON_10,
        due_at=MON_10 + timedelta(hours=24),
    )
    deadline = Deadline.objects.get(referral=referral)
    assert deadline_explain(deadline, working_calendar()).due == ldt(2026, 3, 3, 10, 0)
    deadline_pause(referral=referral, kind="mash_decision", at=MON_10, reason="police")
    resumed = deadline_resume(
        referral=referral, kind="mash_decision", at=MON_10 + timedelta(hours=1)
    )
    assert resumed.due_at == ldt(2026, 3, 3, 11, 0)
