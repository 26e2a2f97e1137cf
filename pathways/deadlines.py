"""Deadline services (the only writers of deadlines) and the reads other pages use.

The workflow services call these inside their own transaction, so a clock opens, stops or
pauses in the same commit as the event that causes it. Times come from pathways.clocks.compute
with the administrators' policy (pathways.policies) and calendar; the rule a clock opened with
is kept on the row, so a later policy edit moves new clocks, not running ones.

Breaches and warnings are recorded by the beat sweep (referrals.sweep, selecting through pathways.due), never here.

Every service here ends with referral_clock_sync: the referral carries its first running
clock's due time (Referral.next_due_at) for the triage queue's index, and it changes in the
same transaction as the clock. Anything else that writes deadlines in bulk must run the same
statement (next_clock_sql) over the referrals it touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record, audit_row
from core.vocabulary import AuditAction, ClockEnd, ClockKind, DueState, RagRating

from .calendar import WorkingCalendar, format_local
from .clocks import ClockResult, Pause, compute, decision_kind, kinds_for_pathway
from .models import ClockPause, Deadline, PauseReason
from .policies import policy_rule, rule_from_json, rule_to_json, working_calendar

DECISION_KINDS = (ClockKind.CONCERN_DECISION, ClockKind.MASH_DECISION)
# Staff see "due soon" inside this much working time (issue 5: two working hours).
DUE_SOON = timedelta(hours=2)


class ClockError(ValueError):
    """A deadline change that the rules refuse; the message is fit to show to staff."""


# ---- services ---------------------------------------------------------------------------------


@transaction.atomic
def deadline_open(
    *,
    referral,
    kind: ClockKind | str,
    starts: datetime,
    actor=None,
    variant: str | None = None,
    restart: bool | None = None,
    calendar: WorkingCalendar | None = None,
) -> Deadline:
    """Open the referral's clock of `kind`, starting at `starts`; return the running deadline.

    Safe to call twice: a running clock of the same kind is returned unchanged, except `rag`,
    which a re-rating restarts (`restart` overrides either way). Opening a decision clock while
    the other pathway's decision clock runs is a re-route: the original start is kept.
    """
    kind = _check_kind(referral, kind)
    if kind == ClockKind.RAG:
        variant = variant or referral.rag_rating
        if variant not in {rating.value for rating in RagRating}:
            raise ClockError("Give the RAG rating (red, amber or green) to start the RAG clock.")
    variant = variant or ""
    restart = (kind == ClockKind.RAG) if restart is None else restart
    calendar = calendar or working_calendar()

    running = {d.kind: d for d in _locked_open(referral)}
    if kind in DECISION_KINDS and kind not in running:
        other = next((running[k] for k in DECISION_KINDS if k in running), None)
        if other is not None:
            deadline_reroute(referral=referral, actor=actor, calendar=calendar)
            return Deadline.objects.open().get(referral=referral, kind=kind)
    if kind in running:
        existing = running[kind]
        if not restart:
            return existing
        _cancel(existing, at=starts, reason=f"restarted ({variant or 'again'})", actor=actor)

    deadline = _create(referral, kind, variant, starts, calendar, actor)
    referral_clock_sync(referral)
    return deadline


def deadline_open_first(*, referral, kind: ClockKind | str, starts: datetime, actor=None,
                        calendar: WorkingCalendar | None = None) -> tuple[Deadline, AuditEvent]:
    """A submission's first clock (issue 19: four statements fewer than deadline_open).

    Only for a referral the caller holds locked and that has no clock yet: a draft being
    submitted (no service opens a clock on a draft). So there is no second lock, no read of
    running clocks and no savepoint. Returns the saved deadline and its `deadline.opened` audit
    row UNSAVED; the caller, in the same transaction, must write that row (audit_record_bulk,
    or referrals.record's `also_audit`) and set the referral's next_due_at to the deadline's
    due_at and next_paused_at to NULL (what referral_clock_sync computes for a referral whose
    only clock this is) in its own UPDATE of the row.
    """
    kind = _check_kind(referral, kind)
    if kind == ClockKind.RAG:
        raise ClockError("A submission's first clock is a decision clock, not the RAG clock.")
    deadline = _create(referral, kind, "", starts, calendar or working_calendar(), actor,
                       write_audit=False)
    return deadline, deadline._opened_audit


@transaction.atomic
def deadline_meet(*, referral, kind: ClockKind | str, at: datetime, actor=None) -> int:
    """Stop the running clock of `kind` as met at `at`; returns how many were met (0 or 1)."""
    met = 0
    for deadline in _locked_open(referral).filter(kind=kind):
        if deadline.paused_at is not None:
            deadline.pauses.filter(resumed_at__isnull=True).update(resumed_at=at, resumed_by=actor)
            deadline.paused_at = None
        deadline.met_at = at
        deadline.save(update_fields=["met_at", "paused_at"])
        audit_record(
            action=AuditAction.DEADLINE_MET,
            actor=actor,
            referral=referral,
            obj=deadline,
            detail={"kind": deadline.kind, "late": at > deadline.due_at},
        )
        met += 1
    if met:
        referral_clock_sync(referral)
    return met


@transaction.atomic
def deadline_end(*, referral, kind: ClockKind | str, at: datetime, reason: ClockEnd | str,
                 actor=None) -> int:
    """End the running clock of `kind` without meeting it: the referral was withdrawn, merged,
    re-routed or closed before the clock's work was done. Returns how many ended (0 or 1).
    An ended clock is no longer running (the sweep skips it) and is never counted as met."""
    reason = ClockEnd(reason)
    ended = 0
    for deadline in _locked_open(referral).filter(kind=kind):
        if deadline.paused_at is not None:
            deadline.pauses.filter(resumed_at__isnull=True).update(resumed_at=at, resumed_by=actor)
            deadline.paused_at = None
            deadline.save(update_fields=["paused_at"])
        _cancel(deadline, at=at, reason=reason, actor=actor)
        ended += 1
    if ended:
        referral_clock_sync(referral)
    return ended


@transaction.atomic
def deadline_pause(
    *,
    referral,
    kind: ClockKind | str,
    at: datetime,
    reason: str,
    actor=None,
    note: str = "",
) -> ClockPause:
    """Pause a running clock for a stated reason; paused time does not count."""
    if reason not in PauseReason.values:
        raise ClockError("Choose why the clock is paused.")
    if reason == PauseReason.OTHER and not note.strip():
        raise ClockError("Explain why the clock is paused.")
    deadline = _locked_open(referral).filter(kind=kind).first()
    if deadline is None:
        raise ClockError(f"There is no running {ClockKind(kind).phrase} clock to pause.")
    if deadline.paused_at is not None:
        raise ClockError(f"This clock has been paused since {format_local(deadline.paused_at)}.")
    if at < deadline.starts_at:
        raise ClockError("A clock cannot be paused before it started.")
    pause = ClockPause.objects.create(
        deadline=deadline, paused_at=at, reason=reason, note=note.strip(), paused_by=actor
    )
    deadline.paused_at = at
    deadline.save(update_fields=["paused_at"])
    # The note may name people: the audit row holds only the reason's code.
    audit_record(
        action=AuditAction.DEADLINE_PAUSED,
        actor=actor,
        referral=referral,
        obj=deadline,
        detail={"kind": deadline.kind, "reason": reason},
    )
    referral_clock_sync(referral)
    return pause


@transaction.atomic
def deadline_resume(
    *,
    referral,
    kind: ClockKind | str,
    at: datetime,
    actor=None,
    calendar: WorkingCalendar | None = None,
) -> Deadline:
    """Resume a paused clock; its due and warning times move on by the paused time."""
    deadline = _locked_open(referral).filter(kind=kind, paused_at__isnull=False).first()
    if deadline is None:
        raise ClockError(f"There is no paused {ClockKind(kind).phrase} clock to resume.")
    pause = deadline.pauses.get(resumed_at__isnull=True)
    if at < pause.paused_at:
        raise ClockError("A clock cannot resume before it was paused.")
    pause.resumed_at, pause.resumed_by = at, actor
    pause.save(update_fields=["resumed_at", "resumed_by"])
    deadline.paused_at = None
    _apply(deadline, deadline_explain(deadline, calendar or working_calendar()))
    audit_record(
        action=AuditAction.DEADLINE_RESUMED,
        actor=actor,
        referral=referral,
        obj=deadline,
        detail={
            "kind": deadline.kind,
            "paused_minutes": round((at - pause.paused_at).total_seconds() / 60),
            "due_at": deadline.due_at.isoformat(),
        },
    )
    referral_clock_sync(referral)
    return deadline


@transaction.atomic
def deadline_reroute(
    *,
    referral,
    actor=None,
    at: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> list[Deadline]:
    """After `referral.pathway` changed: recompute its running clocks under the new pathway.

    Re-routing keeps the original start (DOMAIN: "the original clock keeps running"): the
    decision clock becomes the new pathway's decision clock from the same start, with the new
    pathway's policy; clocks that do not run on the new pathway (enquiry, rag) are cancelled.
    """
    calendar = calendar or working_calendar()
    kinds = kinds_for_pathway(referral.pathway)
    kept = []
    for deadline in _locked_open(referral):
        kind = ClockKind(deadline.kind)
        if kind in DECISION_KINDS:
            kind = decision_kind(referral.pathway)
        if kind not in kinds:
            _cancel(deadline, at=at, reason=ClockEnd.REROUTED, actor=actor)
            continue
        deadline.kind = kind
        deadline.rule = rule_to_json(policy_rule(referral.pathway, kind, deadline.variant))
        _apply(deadline, deadline_explain(deadline, calendar), also=["kind", "rule"])
        audit_record(
            action=AuditAction.DEADLINE_REROUTED,
            actor=actor,
            referral=referral,
            obj=deadline,
            detail={"kind": kind, "pathway": referral.pathway},
        )
        kept.append(deadline)
    referral_clock_sync(referral)
    return kept


# ---- the referral's next clock ------------------------------------------------------------------

_FIRST_OPEN = (
    "(SELECT d.{column} FROM pathways_deadline d WHERE d.referral_id = referrals_referral.id "
    "AND d.met_at IS NULL AND d.cancelled_at IS NULL ORDER BY d.due_at, d.id LIMIT 1)"
)


def next_clock_sql(where: str) -> str:
    """The UPDATE that sets Referral.next_due_at / next_paused_at, for the referrals matching
    `where` (SQL over referrals_referral), from their running deadlines: the due time of the
    clock due first (paused or not), and that clock's pause. NULL when none runs. Plain SQL
    for PostgreSQL and SQLite; the referrals migration's backfill and the bench's bulk seeder
    run the same statement."""
    # `where` is always our own code's SQL; values go in as parameters.
    return (
        f"UPDATE referrals_referral SET next_due_at = {_FIRST_OPEN.format(column='due_at')}, "  # noqa: S608
        f"next_paused_at = {_FIRST_OPEN.format(column='paused_at')} WHERE {where}"
    )


def referral_clock_sync(referral) -> None:
    """Store the referral's first running clock on it, after any clock changed (the services
    above call it last, in their transaction).

    The row lock taken first (_referral_lock) means this statement starts after any other
    transaction changing the same referral's clocks has committed, so it sees their clocks too.
    The instance forgets its copy of the two fields: they reload on access, and a later full
    save() of the instance skips them instead of writing back a stale value.
    """
    with connection.cursor() as cursor:
        cursor.execute(next_clock_sql("id = %s"), [referral.pk])
    for name in ("next_due_at", "next_paused_at"):
        referral.__dict__.pop(name, None)


# ---- reads ------------------------------------------------------------------------------------


def deadline_explain(deadline: Deadline, calendar: WorkingCalendar) -> ClockResult:
    """The clock recomputed from its stored rule, start and pauses, with the reasons in words."""
    pauses = [
        Pause(p.paused_at, p.resumed_at, p.get_reason_display()) for p in deadline.pauses.all()
    ]
    return compute(rule_of(deadline), deadline.starts_at, calendar, pauses)


def rule_of(deadline: Deadline):
    """The rule the clock opened with; the pathway's current policy for a row written without
    one (bulk-loaded history, rows from before the clocks work)."""
    if deadline.rule:
        return rule_from_json(deadline.rule)
    return policy_rule(deadline.referral.pathway, deadline.kind, deadline.variant)


def deadlines_open_for(referral):
    return Deadline.objects.open().filter(referral=referral).order_by("due_at")


def breaches_for_team(team):
    """Running clocks that have breached on the team's referrals, most overdue first.

    A referral with no team yet belongs to its pathway's team. The caller checks that the
    person may see the team's breaches (a manager of that team).
    """
    return (
        Deadline.objects.open()
        .filter(breached_at__isnull=False)
        .filter(
            Q(referral__team=team) | Q(referral__team__isnull=True, referral__pathway=team.pathway)
        )
        .select_related("referral", "referral__assignee")
        .order_by("due_at", "id")
    )


@dataclass(frozen=True)
class DueStatus:
    state: DueState
    label: str  # a short tag text
    text: str  # a sentence for staff
    tag_class: str  # GOV.UK tag colour modifier

    @property
    def is_overdue(self) -> bool:
        return self.state == DueState.OVERDUE


def due_status(
    deadline: Deadline, now: datetime, calendar: WorkingCalendar | None = None
) -> DueStatus:
    """'On time', 'Due soon' (within two working hours) or 'Overdue', as text for staff pages."""
    if deadline.cancelled_at is not None:
        return DueStatus(
            DueState.CLOSED, DueState.CLOSED.label, f"Closed: {deadline.cancelled_reason}.", "govuk-tag--grey"
        )
    if deadline.met_at is not None:
        late = deadline.met_at > deadline.due_at
        return DueStatus(
            (DueState.MET_LATE if late else DueState.MET),
            (DueState.MET_LATE if late else DueState.MET).label,
            f"Met {format_local(deadline.met_at)}"
            + (f", after it was due {format_local(deadline.due_at)}." if late else "."),
            "govuk-tag--orange" if late else "govuk-tag--green",
        )
    if deadline.paused_at is not None:
        return DueStatus(
            DueState.PAUSED,
            DueState.PAUSED.label,
            f"Paused since {format_local(deadline.paused_at)}.",
            "govuk-tag--grey",
        )
    if now >= deadline.due_at:
        return DueStatus(
            DueState.OVERDUE,
            DueState.OVERDUE.label,
            f"Overdue: it was due {format_local(deadline.due_at)}.",
            "govuk-tag--red",
        )
    calendar = calendar or working_calendar()
    remaining = calendar.working_time_between(now, deadline.due_at)
    if remaining <= DUE_SOON:
        return DueStatus(
            DueState.DUE_SOON,
            DueState.DUE_SOON.label,
            f"Due within two working hours: {format_local(deadline.due_at)}.",
            "govuk-tag--yellow",
        )
    return DueStatus(
        DueState.ON_TIME,
        DueState.ON_TIME.label,
        f"On time: due {format_local(deadline.due_at)} ({_working_time_words(remaining)} away).",
        "govuk-tag--green",
    )


def _working_time_words(span: timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    if hours >= 16:
        days = hours // 8
        return f"{days} working days"
    return f"{hours} working hours" if hours != 1 else "1 working hour"


# ---- helpers ----------------------------------------------------------------------------------


def _check_kind(referral, kind) -> ClockKind:
    try:
        kind = ClockKind(kind)
    except ValueError:
        raise ClockError(f"There is no clock called {kind!r}.") from None
    if not referral.pathway:
        raise ClockError("Route the referral to a pathway before starting its clocks.")
    if kind not in kinds_for_pathway(referral.pathway):
        raise ClockError(f"The {kind.label.lower()} clock does not run on this pathway.")
    return kind


def _referral_lock(referral) -> None:
    """Lock the referral row before its clocks: the workflow services lock it first too, so the
    order is always referral then deadlines (no deadlock), and two clock changes on one
    referral run one after the other (referral_clock_sync sees both)."""
    list(type(referral)._default_manager.select_for_update().filter(pk=referral.pk)
         .values_list("pk", flat=True))


def _locked_open(referral):
    _referral_lock(referral)
    return Deadline.objects.open().filter(referral=referral).select_for_update().order_by("id")


def _create(referral, kind, variant, starts, calendar, actor, *, write_audit=True) -> Deadline:
    rule = policy_rule(referral.pathway, kind, variant)
    result = compute(rule, starts, calendar)
    deadline = Deadline.objects.create(
        referral=referral,
        kind=kind,
        variant=variant,
        rule=rule_to_json(rule),
        starts_at=result.starts,
        warning_at=result.warning,
        due_at=result.due,
    )
    (audit_record if write_audit else _audit_later(deadline))(
        action=AuditAction.DEADLINE_OPENED,
        actor=actor,
        referral=referral,
        obj=deadline,
        detail={"kind": kind, "variant": variant, "due_at": result.due.isoformat()},
    )
    return deadline


def _audit_later(deadline):
    """audit_record's arguments, kept unsaved on the deadline for deadline_open_first."""
    def keep(**arguments):
        deadline._opened_audit = audit_row(**arguments)
    return keep


def _cancel(deadline: Deadline, *, at, reason: str, actor) -> None:
    # met_at is when a clock stopped, for every reader that counts running clocks by
    # met_at IS NULL; cancelled_at says it stopped without being met (reports exclude it).
    deadline.cancelled_at = deadline.met_at = at or timezone.now()
    deadline.cancelled_reason = str(reason)
    deadline.save(update_fields=["cancelled_at", "met_at", "cancelled_reason"])
    audit_record(
        action=AuditAction.DEADLINE_CANCELLED,
        actor=actor,
        referral=deadline.referral,
        obj=deadline,
        detail={"kind": deadline.kind, "reason": reason},
    )


def _apply(deadline: Deadline, result: ClockResult, also=()) -> None:
    """Store recomputed times. A warning point that moved later can warn again."""
    if result.due is not None:
        deadline.due_at, deadline.warning_at = result.due, result.warning
        if deadline.warned_at is not None and deadline.warning_at > deadline.warned_at:
            deadline.warned_at = None
    deadline.save(update_fields=["due_at", "warning_at", "warned_at", "paused_at", *also])
