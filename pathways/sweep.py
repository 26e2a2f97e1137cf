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
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce

from accounts.models import Team, TeamMembership, TeamRole, User
from audit.models import AuditEvent
from outbox.models import Channel
from outbox.write import NoticeDraft, notices_queue_bulk
from referrals.models import Referral

from .calendar import format_local
from .clocks import ClockKind, compute
from .models import Deadline
from .policies import policy_rule, working_calendar

log = logging.getLogger(__name__)

# Clocks per transaction: each batch is a fixed handful of statements, so bigger batches cost
# fewer round trips; 500 keeps a batch's row locks to well under a second.
BATCH_SIZE = 500
# Urgent referrals looked at per run (as before batches grew): each needs its pick-up time
# computed in Python, and they drop out once alerted.
PICKUP_BATCH = 100
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


def _running():
    return Deadline.objects.open().filter(paused_at__isnull=True)


def _claim(due, batch_size, *, now, stamp=(), keep_or_stamp=()) -> list[int]:
    """Lock up to batch_size of the `due` deadlines (SKIP LOCKED: rows another sweep holds are
    left to it), set the `stamp` fields to `now` and the `keep_or_stamp` fields to `now` unless
    already set, and return their ids; in the caller's transaction.

    On PostgreSQL one statement, `WITH due AS (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n)
    UPDATE ... RETURNING id`, the lock query written by the ORM so it keeps the meaning of
    Deadline.objects.open(). Elsewhere (SQLite, the demo: one writer at a time) a select and an
    update.
    """
    locked = due.select_for_update(skip_locked=True).values("id")[:batch_size]
    if connection.vendor != "postgresql":
        ids = [row["id"] for row in locked]
        Deadline.objects.filter(pk__in=ids).update(
            **{name: now for name in stamp},
            **{name: Coalesce(name, Value(now)) for name in keep_or_stamp},
        )
        return ids
    select, params = locked.query.sql_with_params()
    quote = connection.ops.quote_name

    def column(name):
        return quote(Deadline._meta.get_field(name).column)

    assignments = [f"{column(name)} = %s" for name in stamp] + [
        f"{column(name)} = COALESCE(d.{column(name)}, %s)" for name in keep_or_stamp
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            # Only our own column names and the ORM's SQL are formatted in; values are parameters.
            f"WITH due AS ({select}) "  # noqa: S608
            f"UPDATE {quote(Deadline._meta.db_table)} AS d SET {', '.join(assignments)} "
            "FROM due WHERE d.id = due.id RETURNING d.id",
            [*params, *([now] * len(assignments))],
        )
        return [row[0] for row in cursor.fetchall()]


def _claimed(ids, order):
    """The claimed deadlines with what the notices need (only that: a batch can be
    thousands of rows), in one query."""
    return list(
        Deadline.objects.filter(pk__in=ids)
        .select_related("referral", "referral__team", "referral__assignee")
        .only(
            "kind", "variant", "due_at", "warning_at",
            "referral__reference", "referral__pathway", "referral__team", "referral__assignee",
            "referral__team__email", "referral__assignee__email",
            "referral__assignee__is_active",
        )
        .order_by(*order)
    )


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
        AuditEvent.objects.bulk_create(events)
        report.pickup_alerts += len(events)
        report.notices += len(notices_queue_bulk(drafts))
    return full_batch


def _breaches_batch(now, batch_size, report) -> int:
    with transaction.atomic():
        due = _running().filter(breached_at__isnull=True, due_at__lte=now).order_by("due_at", "id")
        # A breach covers a warning the sweep never got to send (it was down, say).
        ids = _claim(due, batch_size, now=now, stamp=["breached_at"], keep_or_stamp=["warned_at"])
        if ids:
            _record(_claimed(ids, ("due_at", "id")), "deadline.breached", _breach_notices, report)
            report.breached += len(ids)
    return len(ids)


def _warnings_batch(now, batch_size, report) -> int:
    with transaction.atomic():
        due = (
            _running()
            .filter(warned_at__isnull=True, warning_at__lte=now, due_at__gt=now)
            .order_by("warning_at", "id")
        )
        ids = _claim(due, batch_size, now=now, stamp=["warned_at"])
        if ids:
            _record(_claimed(ids, ("warning_at", "id")), "deadline.warned", _warning_notices, report)
            report.warned += len(ids)
    return len(ids)


def _record(deadlines, action, notices_for, report) -> None:
    """The audit row for each deadline and its notices: one INSERT each, whatever the batch."""
    people, events, drafts = TeamPeople(deadline.referral for deadline in deadlines), [], []
    for deadline in deadlines:
        events.append(_audit_row(
            action, deadline.referral, deadline,
            {"kind": deadline.kind, "due_at": deadline.due_at.isoformat()},
        ))
        drafts += notices_for(deadline, people)
    AuditEvent.objects.bulk_create(events)
    report.notices += len(notices_queue_bulk(drafts))


def _audit_row(action, referral, obj, detail) -> AuditEvent:
    # The row audit.services.audit_record writes for a system action (no actor, no request),
    # built unsaved so a batch is one INSERT.
    return AuditEvent(
        action=action,
        referral_id=referral.pk,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        detail=detail,
    )


# ---- who is told, and what ----------------------------------------------------------------------


def team_of(referral) -> Team | None:
    """The referral's team, or its pathway's team before one is set."""
    if referral.team_id:
        return referral.team
    return Team.objects.filter(pathway=referral.pathway).first()


class TeamPeople:
    """Who is told on each team of a batch: its managers and duty managers, read in one query
    for the whole batch (a batch is one short transaction, so the answer cannot go stale
    within it)."""

    def __init__(self, referrals):
        self._pathway_teams: dict[str, Team | None] = {}
        self._managers: dict[int, list[User]] = defaultdict(list)
        self._duty: dict[int, list[User]] = defaultdict(list)
        teams = {self.team_of(referral) for referral in referrals} - {None}
        if not teams:
            return
        # The same people as Team.managers() and the duty managers, for every team at once.
        memberships = (
            TeamMembership.objects.filter(team__in=teams, user__is_active=True)
            .filter(Q(role=TeamRole.MANAGER) | Q(is_duty_manager=True))
            .select_related("user")
            .order_by("pk")
        )
        for membership in memberships:
            if membership.role == TeamRole.MANAGER:
                self._managers[membership.team_id].append(membership.user)
            if membership.is_duty_manager:
                self._duty[membership.team_id].append(membership.user)

    def team_of(self, referral) -> Team | None:
        if referral.team_id:
            return referral.team
        if referral.pathway not in self._pathway_teams:
            self._pathway_teams[referral.pathway] = team_of(referral)
        return self._pathway_teams[referral.pathway]

    def managers(self, team) -> list[User]:
        return self._managers[team.pk] if team is not None else []

    def duty_managers(self, team) -> list[User]:
        return self._duty[team.pk] if team is not None else []


def _warning_notices(deadline: Deadline, people: TeamPeople) -> list[NoticeDraft]:
    """Warning: to the assignee and the team manager(s)."""
    referral = deadline.referral
    team = people.team_of(referral)
    assignee = [referral.assignee] if referral.assignee_id else []
    return _drafts(
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


def _breach_notices(deadline: Deadline, people: TeamPeople) -> list[NoticeDraft]:
    """Breach: to the team manager(s) and the duty manager(s)."""
    referral = deadline.referral
    team = people.team_of(referral)
    return _drafts(
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


def _pickup_notices(referral, people: TeamPeople) -> list[NoticeDraft]:
    """Urgent and not picked up: to the team manager(s) and the duty manager(s)."""
    team = people.team_of(referral)
    return _drafts(
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


def _drafts(referral, people, team, *, kind, key, subject, body) -> list[NoticeDraft]:
    """An email and a portal notice per person (deduplicated by key); the team's inbox if
    nobody is set up."""
    unique = {person.pk: person for person in people if person is not None and person.is_active}
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
