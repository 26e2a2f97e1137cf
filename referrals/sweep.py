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

from django.db import transaction
from django.db.models import Exists, OuterRef

from accounts.recipients import (
    TeamPeople,
    breach_recipients,
    pickup_recipients,
    warning_recipients,
)
from audit.models import AuditEvent
from audit.services import audit_record_bulk, audit_row
from core.timetext import when_text
from core.vocabulary import AuditAction, ClockKind
from outbox.models import Channel
from outbox.write import NoticeDraft, notices_queue_bulk
from pathways.clocks import compute
from pathways.due import breaches_claim, warnings_claim
from pathways.models import Deadline
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
        people, events, drafts = TeamPeople(referral for referral, _ in overdue), [], []
        for referral, due in overdue:
            events.append(_audit_row(
                PICKUP_ALERT, referral, referral,
                {"received_at": referral.received_at.isoformat(), "due_at": due.isoformat()},
            ))
            drafts += _pickup_notices(referral, people)
        audit_record_bulk(events)
        report.pickup_alerts += len(events)
        report.notices += len(notices_queue_bulk(drafts))
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


def _record(deadlines, action, notices_for, report) -> None:
    """The audit row for each deadline and its notices: one INSERT each, whatever the batch."""
    people, events, drafts = TeamPeople(deadline.referral for deadline in deadlines), [], []
    for deadline in deadlines:
        events.append(_audit_row(
            action, deadline.referral, deadline,
            {"kind": deadline.kind, "due_at": deadline.due_at.isoformat()},
        ))
        drafts += notices_for(deadline, people)
    audit_record_bulk(events)
    report.notices += len(notices_queue_bulk(drafts))


def _audit_row(action, referral, obj, detail) -> AuditEvent:
    # A system action (no actor, no request), built unsaved so a batch is one INSERT.
    return audit_row(action=action, referral=referral, obj=obj, detail=detail)


# ---- what is said (who is told: accounts.recipients) -------------------------------------------


def _warning_notices(deadline: Deadline, people: TeamPeople) -> list[NoticeDraft]:
    referral = deadline.referral
    return _drafts(
        referral,
        warning_recipients(referral, people),
        people.team_of(referral),
        kind="deadline_warning",
        key=f"deadline:{deadline.pk}:warning:{int(deadline.warning_at.timestamp())}",
        subject=f"Due soon: referral {referral.reference}",
        body=(
            f"The {deadline.phrase} for referral {referral.reference} is due "
            f"by {when_text(deadline.due_at)}. Please act on it before then."
        ),
    )


def _breach_notices(deadline: Deadline, people: TeamPeople) -> list[NoticeDraft]:
    referral = deadline.referral
    return _drafts(
        referral,
        breach_recipients(referral, people),
        people.team_of(referral),
        kind="deadline_breach",
        key=f"deadline:{deadline.pk}:breach",
        subject=f"Deadline missed: referral {referral.reference}",
        body=(
            f"The {deadline.phrase} for referral {referral.reference} was due "
            f"by {when_text(deadline.due_at)} and has not been met. It is on the team's breach "
            "list."
        ),
    )


def _pickup_notices(referral, people: TeamPeople) -> list[NoticeDraft]:
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


def _drafts(referral, people, team, *, kind, key, subject, body) -> list[NoticeDraft]:
    """An email and a portal notice per person (deduplicated by key); the team's inbox if
    nobody is set up."""
    unique = {person.pk: person for person in people}
    common = {"kind": kind, "subject": subject, "body": body, "referral": referral}
    drafts = []
    for person in unique.values():
        # Email reaches them away from the portal; the portal notice is on their notices page.
        for channel, suffix in ((Channel.EMAIL, ""), (Channel.PORTAL, ":portal")):
            drafts.append(NoticeDraft(
                **common, recipient=person, channel=channel,
                dedupe_key=f"{key}:user:{person.pk}{suffix}",
            ))
    if not unique:
        if team is not None and team.email:
            drafts.append(NoticeDraft(
                **common, recipient_email=team.email, dedupe_key=f"{key}:team"
            ))
        else:
            log.warning("referral %s: %s has nobody to tell", referral.pk, kind)
    return drafts
