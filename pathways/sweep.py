"""The sweep that enforces the clocks: beat runs it every minute (pathways.tasks).

Deadlines live in the database with their due and warning times; the sweep finds the ones that
have reached either, in bounded batches, each batch in its own short transaction with the rows
locked `FOR UPDATE SKIP LOCKED`, so two sweeps at once share the work instead of doing it twice
or waiting on each other. Each warning and breach is recorded once (warned_at / breached_at) and
its notices written in the same transaction (feedback's outbox, deduplicated by key), so running
the sweep twice changes nothing. No Celery countdowns: a lost or late run is caught up by the
next one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from accounts.models import Team, User
from audit.models import AuditEvent
from audit.services import audit_record
from feedback.models import Channel
from feedback.services import notice_queue
from referrals.models import Referral

from .calendar import format_local
from .clocks import ClockKind, compute
from .models import Deadline
from .policies import policy_rule, working_calendar

log = logging.getLogger(__name__)

BATCH_SIZE = 100
DECISION_KINDS = (ClockKind.CONCERN_DECISION, ClockKind.MASH_DECISION)
PICKUP_ALERT = "referral.urgent_not_picked_up"
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
    # Oldest first and alerted ones drop out, so one batch of urgent referrals a minute is
    # enough (the young ones it re-reads each time are not yet due).
    _pickups_batch(now, batch_size, report)
    for step in (_breaches_batch, _warnings_batch):
        for _ in range(max_batches):
            if step(now, batch_size, report) < batch_size:
                break
    if report.warned or report.breached or report.pickup_alerts:
        # Counts only: nothing about any person or referral.
        log.info("deadline sweep: %s", report.as_dict())
    return report


def _locked(queryset, batch_size):
    # of=("self",): lock the deadline rows only, not the referrals joined for reading.
    return list(
        queryset.select_for_update(skip_locked=True, of=("self",)).select_related(
            "referral", "referral__team", "referral__assignee"
        )[:batch_size]
    )


def _running():
    return Deadline.objects.open().filter(paused_at__isnull=True)


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
        people = TeamPeople()
        for referral in waiting:
            if referral.pathway not in rules:
                rules[referral.pathway] = policy_rule(referral.pathway, ClockKind.URGENT_PICKUP)
                calendar = calendar or working_calendar()
            due = compute(rules[referral.pathway], referral.received_at, calendar).due
            if (
                due > now
                or AuditEvent.objects.filter(action=PICKUP_ALERT, referral_id=referral.pk).exists()
            ):
                continue
            audit_record(
                action=PICKUP_ALERT,
                referral=referral,
                obj=referral,
                detail={"received_at": referral.received_at.isoformat(), "due_at": due.isoformat()},
            )
            report.pickup_alerts += 1
            report.notices += _notify_pickup(referral, people)
    return len(waiting)


def _breaches_batch(now, batch_size, report) -> int:
    with transaction.atomic():
        people = TeamPeople()
        batch = _locked(
            _running().filter(breached_at__isnull=True, due_at__lte=now).order_by("due_at", "id"),
            batch_size,
        )
        for deadline in batch:
            deadline.breached_at = now
            # A breach covers a warning the sweep never got to send (it was down, say).
            deadline.warned_at = deadline.warned_at or now
            deadline.save(update_fields=["breached_at", "warned_at"])
            audit_record(
                action="deadline.breached",
                referral=deadline.referral,
                obj=deadline,
                detail={"kind": deadline.kind, "due_at": deadline.due_at.isoformat()},
            )
            report.breached += 1
            report.notices += _notify_breach(deadline, people)
    return len(batch)


def _warnings_batch(now, batch_size, report) -> int:
    with transaction.atomic():
        people = TeamPeople()
        batch = _locked(
            _running()
            .filter(warned_at__isnull=True, warning_at__lte=now, due_at__gt=now)
            .order_by("warning_at", "id"),
            batch_size,
        )
        for deadline in batch:
            deadline.warned_at = now
            deadline.save(update_fields=["warned_at"])
            audit_record(
                action="deadline.warned",
                referral=deadline.referral,
                obj=deadline,
                detail={"kind": deadline.kind, "due_at": deadline.due_at.isoformat()},
            )
            report.warned += 1
            report.notices += _notify_warning(deadline, people)
    return len(batch)


# ---- who is told, and what ----------------------------------------------------------------------


def team_of(referral) -> Team | None:
    """The referral's team, or its pathway's team before one is set."""
    if referral.team_id:
        return referral.team
    return Team.objects.filter(pathway=referral.pathway).first()


class TeamPeople:
    """Who manages each team, read once per batch rather than once per deadline (a batch is
    one short transaction, so the answer cannot go stale within it)."""

    def __init__(self):
        self._known: dict[tuple[str, int], list[User]] = {}

    def managers(self, team) -> list[User]:
        if team is None:
            return []
        return self._get("managers", team, lambda: list(team.managers()))

    def duty_managers(self, team) -> list[User]:
        if team is None:
            return []
        return self._get(
            "duty",
            team,
            lambda: list(
                User.objects.filter(
                    team_memberships__team=team,
                    team_memberships__is_duty_manager=True,
                    is_active=True,
                )
            ),
        )

    def _get(self, role, team, load):
        if (role, team.pk) not in self._known:
            self._known[(role, team.pk)] = load()
        return self._known[(role, team.pk)]


def _notify_warning(deadline: Deadline, people: TeamPeople) -> int:
    """Warning: to the assignee and the team manager(s)."""
    referral = deadline.referral
    team = team_of(referral)
    assignee = [referral.assignee] if referral.assignee_id else []
    return _send(
        referral,
        assignee + people.managers(team),
        team,
        kind="deadline_warning",
        key=f"deadline:{deadline.pk}:warning:{int(deadline.warning_at.timestamp())}",
        subject=f"Due soon: referral {referral.reference}",
        body=(
            f"The {deadline.phrase} for referral {referral.reference} is due "
            f"{format_local(deadline.due_at)}. Please act on it before then."
        ),
    )


def _notify_breach(deadline: Deadline, people: TeamPeople) -> int:
    """Breach: to the team manager(s) and the duty manager(s)."""
    referral = deadline.referral
    team = team_of(referral)
    return _send(
        referral,
        people.managers(team) + people.duty_managers(team),
        team,
        kind="deadline_breach",
        key=f"deadline:{deadline.pk}:breach",
        subject=f"Deadline missed: referral {referral.reference}",
        body=(
            f"The {deadline.phrase} for referral {referral.reference} was due "
            f"{format_local(deadline.due_at)} and has not been met. It is on the team's breach "
            "list."
        ),
    )


def _notify_pickup(referral, people: TeamPeople) -> int:
    """Urgent and not picked up: to the team manager(s) and the duty manager(s)."""
    team = team_of(referral)
    return _send(
        referral,
        people.managers(team) + people.duty_managers(team),
        team,
        kind="urgent_not_picked_up",
        key=f"urgent-pickup:{referral.pk}",
        subject=f"Urgent referral not picked up: {referral.reference}",
        body=(
            f"Urgent referral {referral.reference} was received "
            f"{format_local(referral.received_at)} and nobody has picked it up. Please assign "
            "it now."
        ),
    )


def _send(referral, people, team, *, kind, key, subject, body) -> int:
    """An email and a portal notice per person (deduplicated by key); the team's inbox if
    nobody is set up."""
    sent = 0
    unique = {person.pk: person for person in people if person is not None and person.is_active}
    for person in unique.values():
        # Email reaches them away from the portal; the portal notice is on their notices page.
        for channel, suffix in ((Channel.EMAIL, ""), (Channel.PORTAL, ":portal")):
            notice = notice_queue(
                kind=kind,
                subject=subject,
                body=body,
                recipient=person,
                referral=referral,
                channel=channel,
                dedupe_key=f"{key}:user:{person.pk}{suffix}",
            )
            sent += notice is not None
    if not unique:
        if team is not None and team.email:
            notice = notice_queue(
                kind=kind,
                subject=subject,
                body=body,
                recipient_email=team.email,
                referral=referral,
                dedupe_key=f"{key}:team",
            )
            sent += notice is not None
        else:
            log.warning("referral %s: %s has nobody to tell", referral.pk, kind)
    return sent
