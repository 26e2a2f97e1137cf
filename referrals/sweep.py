"""The sweep that enforces the clocks: beat runs it every minute (referrals.tasks).

It orchestrates, and owns none of the rules it applies: which clocks are due is the clock
engine's (pathways.due), who is told is accounts' (accounts.recipients), the notices are the
outbox's. It sits in referrals because it writes the referral's record.

Deadlines live in the database with their due and warning times; the sweep finds the ones that
have reached either, in bounded batches, each batch in its own short transaction with the rows
locked `FOR UPDATE SKIP LOCKED`, so two sweeps at once share the work instead of doing it twice
or waiting on each other. Each warning and breach is recorded once (warned_at / breached_at) and
its notices written in the same transaction (the outbox, deduplicated by key), so running
the sweep twice changes nothing. No Celery countdowns: a lost or late run is caught up by the
next one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Exists, OuterRef

from accounts.models import Team, User
from accounts.recipients import (
    TeamPeople,
    breach_recipients,
    pickup_recipients,
    warning_recipients,
)
from audit.models import AuditEvent
from audit.services import audit_record_system_bulk
from core.timetext import when_text
from core.vocabulary import AuditAction, ClockKind
from outbox.models import Channel
from outbox.write import NoticeRow, notices_queue_rows
from pathways.clocks import compute
from pathways.due import ClaimedClock, breaches_claim, warnings_claim
from pathways.models import Deadline, clock_phrase
from pathways.policies import policy_rule, working_calendar

from .models import Referral

log = logging.getLogger(__name__)

# Clocks per transaction: each batch is a fixed handful of statements, so bigger batches cost
# fewer round trips; 500 keeps a batch's row locks to well under a second.
BATCH_SIZE = 500
# Urgent referrals looked at per run (as before batches grew): each needs its pick-up time
# computed in Python, and they drop out once alerted.
PICKUP_BATCH = 100
DECISION_KINDS = (ClockKind.CONCERN_DECISION, ClockKind.MASH_DECISION)
PICKUP_ALERT = AuditAction.REFERRAL_URGENT_NOT_PICKED_UP
# At most this many batches of each kind per run; the rest waits for the next minute.
MAX_BATCHES = 20


@dataclass
class SweepReport:
    warned: int = 0
    breached: int = 0
    pickup_alerts: int = 0
    notices: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def deadlines_sweep(
    *, now: datetime, batch_size: int = BATCH_SIZE, max_batches: int = MAX_BATCHES
) -> SweepReport:
    """Alert on unclaimed urgent referrals, then record breaches and warnings due by `now`."""
    report = SweepReport()
    # Oldest first and alerted ones drop out. A backlog (a worker that was down) is cleared in
    # batches like the clocks below: an urgent referral's alert must not wait minutes in line.
    pickup_batch = min(batch_size, PICKUP_BATCH)
    for _ in range(max_batches):
        if _pickups_batch(now, pickup_batch, report) < pickup_batch:
            break
    for step in (_breaches_batch, _warnings_batch):
        for _ in range(max_batches):
            if step(now, batch_size, report) < batch_size:
                break
    if report.warned or report.breached or report.pickup_alerts:
        # Counts only: nothing about any person or referral.
        log.info("deadline sweep: %s", report.as_dict())
    return report


def _pickups_batch(now, batch_size, report) -> int:
    """Urgent referrals that nobody picked up (assigned) in time: alert the managers, once.

    An urgent referral is waiting while its decision clock runs and it has no assignee. The
    audit row written with the alert is the record that it was sent; it is checked again after
    the row lock, so a sweep running alongside cannot send it a second time.
    """
    deciding = Deadline.objects.open().filter(referral=OuterRef("pk"), kind__in=DECISION_KINDS)
    alerted = AuditEvent.objects.filter(action=PICKUP_ALERT, referral_id=OuterRef("pk"))
    rules, calendar = {}, None
    with transaction.atomic():
        waiting = list(
            Referral.objects.filter(urgent=True, assignee__isnull=True, received_at__lte=now)
            .filter(Exists(deciding))
            .exclude(Exists(alerted))
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("team")
            .order_by("received_at", "id")[:batch_size]
        )
        overdue = []
        for referral in waiting:
            if referral.pathway not in rules:
                rules[referral.pathway] = policy_rule(referral.pathway, ClockKind.URGENT_PICKUP)
                calendar = calendar or working_calendar()
            due = compute(rules[referral.pathway], referral.received_at, calendar).due
            if due <= now:
                overdue.append((referral, due))
        if not overdue:
            return 0
        # Oldest first: once one is not yet due, the rest of the line can wait for next minute.
        full_batch = len(waiting) if len(overdue) == len(waiting) else 0
        # Again after the lock: a sweep that committed an alert since our query began.
        done = set(
            AuditEvent.objects.filter(
                action=PICKUP_ALERT, referral_id__in=[referral.pk for referral, _ in overdue]
            ).values_list("referral_id", flat=True)
        )
        overdue = [(referral, due) for referral, due in overdue if referral.pk not in done]
        people, notices = TeamPeople(referral for referral, _ in overdue), []
        for referral, _ in overdue:
            notices += _pickup_notices(referral, people)
        report.pickup_alerts += audit_record_system_bulk(action=PICKUP_ALERT, model=Referral, rows=[
            (referral.pk, referral.pk,
             {"received_at": referral.received_at.isoformat(), "due_at": due.isoformat()})
            for referral, due in overdue
        ])
        report.notices += len(notices_queue_rows(notices))
    return full_batch


def _breaches_batch(now, batch_size, report) -> int:
    with transaction.atomic():
        deadlines = breaches_claim(now, batch_size)
        if deadlines:
            _record(deadlines, AuditAction.DEADLINE_BREACHED, _breach_notices, report)
            report.breached += len(deadlines)
    return len(deadlines)


def _warnings_batch(now, batch_size, report) -> int:
    with transaction.atomic():
        deadlines = warnings_claim(now, batch_size)
        if deadlines:
            _record(deadlines, AuditAction.DEADLINE_WARNED, _warning_notices, report)
            report.warned += len(deadlines)
    return len(deadlines)


def _record(clocks: list[ClaimedClock], action, notices_for, report) -> None:
    """The audit row for each clock and its notices: one INSERT each, whatever the batch, from
    plain rows (pathways.due.claimed): no model instance per clock, audit row or notice."""
    referrals = _referrals(clocks)
    people, notices = TeamPeople(referrals.values()), []
    for clock in clocks:
        notices += notices_for(clock, referrals[clock.referral_id], people)
    audit_record_system_bulk(action=action, model=Deadline, rows=[
        (clock.referral_id, clock.id, {"kind": clock.kind, "due_at": clock.due_at.isoformat()})
        for clock in clocks
    ])
    report.notices += len(notices_queue_rows(notices))


@dataclass(slots=True)
class ClockReferral:
    """What the recipients (accounts.recipients) and the wording read of a claimed clock's
    referral; its team and assignee are model instances holding only what is read of them (as
    `.only()` gave), one per team and per person in the batch."""

    pk: int
    reference: str
    pathway: str
    team_id: int | None
    team: Team | None
    assignee_id: int | None
    assignee: User | None


def _referrals(clocks: list[ClaimedClock]) -> dict[int, ClockReferral]:
    teams: dict[int, Team] = {}
    people: dict[int, User] = {}
    referrals = {}
    for clock in clocks:
        if clock.referral_id in referrals:
            continue
        team = assignee = None
        if clock.team_id is not None:
            team = teams.get(clock.team_id) or teams.setdefault(
                clock.team_id, _partial(Team, id=clock.team_id, email=clock.team_email))
        if clock.assignee_id is not None:
            assignee = people.get(clock.assignee_id) or people.setdefault(
                clock.assignee_id, _partial(User, id=clock.assignee_id, email=clock.assignee_email,
                                            is_active=clock.assignee_is_active))
        referrals[clock.referral_id] = ClockReferral(
            clock.referral_id, clock.reference, clock.pathway, clock.team_id, team,
            clock.assignee_id, assignee,
        )
    return referrals


def _partial(model, **values):
    """An instance with only these fields loaded, as a `.only()` query builds it."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


# ---- what is said (who is told: accounts.recipients) -------------------------------------------


def _warning_notices(clock: ClaimedClock, referral, people: TeamPeople) -> list[NoticeRow]:
    return _drafts(
        referral,
        warning_recipients(referral, people),
        people.team_of(referral),
        kind="deadline_warning",
        key=f"deadline:{clock.id}:warning:{int(clock.warning_at.timestamp())}",
        subject=f"Due soon: referral {referral.reference}",
        body=(
            f"The {clock_phrase(clock.kind, clock.variant)} for referral {referral.reference} "
            f"is due by {when_text(clock.due_at)}. Please act on it before then."
        ),
    )


def _breach_notices(clock: ClaimedClock, referral, people: TeamPeople) -> list[NoticeRow]:
    return _drafts(
        referral,
        breach_recipients(referral, people),
        people.team_of(referral),
        kind="deadline_breach",
        key=f"deadline:{clock.id}:breach",
        subject=f"Deadline missed: referral {referral.reference}",
        body=(
            f"The {clock_phrase(clock.kind, clock.variant)} for referral {referral.reference} "
            f"was due by {when_text(clock.due_at)} and has not been met. It is on the team's "
            "breach list."
        ),
    )


def _pickup_notices(referral, people: TeamPeople) -> list[NoticeRow]:
    return _drafts(
        referral,
        pickup_recipients(referral, people),
        people.team_of(referral),
        kind="urgent_not_picked_up",
        key=f"urgent-pickup:{referral.pk}",
        subject=f"Urgent referral not picked up: {referral.reference}",
        body=(
            f"Urgent referral {referral.reference} was received "
            f"at {when_text(referral.received_at)} and nobody has picked it up. Please assign "
            "it now."
        ),
    )


def _drafts(referral, people, team, *, kind, key, subject, body) -> list[NoticeRow]:
    """An email and a portal notice per person (deduplicated by key); the team's inbox if
    nobody is set up."""
    unique = {person.pk: person for person in people}
    rows = []
    for pk, person in unique.items():
        # Email reaches them away from the portal; the portal notice is on their notices page.
        rows.append(NoticeRow(kind, pk, person.email, referral.pk, Channel.EMAIL, subject, body,
                              f"{key}:user:{pk}"))
        rows.append(NoticeRow(kind, pk, person.email, referral.pk, Channel.PORTAL, subject, body,
                              f"{key}:user:{pk}:portal"))
    if not unique:
        if team is not None and team.email:
            rows.append(NoticeRow(kind, None, team.email, referral.pk, Channel.EMAIL, subject,
                                  body, f"{key}:team"))
        else:
            log.warning("referral %s: %s has nobody to tell", referral.pk, kind)
    return rows
