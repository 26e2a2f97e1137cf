"""Triage's own writers: claiming and assigning referrals, and internal notes.

Status changes are referrals.transitions; these change who holds a referral and what the team
has noted, each in one transaction with its timeline event and audit row.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import TeamMembership
from audit.services import audit_record
from core.vocabulary import AuditAction, EventKind, Status
from pathways import deadlines
from referrals import access, workflow
from referrals.models import Referral
from referrals.record import record
from referrals.transitions import TransitionError, TransitionForbidden

from .models import Assignment, AssignmentKind, InternalNote


class AlreadyClaimed(TransitionError):
    """Someone else holds the referral; `holder` says who."""

    def __init__(self, holder: str):
        super().__init__(f"{holder} has already taken this referral.")
        self.holder = holder


def _staff_role(actor, referral) -> str:
    role = access.role_on(actor, referral)
    if role not in workflow.STAFF:
        raise TransitionForbidden("You do not have access to this referral.")
    return role


ASSIGNMENT_EVENT = {
    AssignmentKind.CLAIM: EventKind.CLAIMED,
    AssignmentKind.ASSIGN: EventKind.ASSIGNED,
    AssignmentKind.RELEASE: EventKind.RELEASED,
}


def _record(*, referral, kind, assignee, previous, actor, now, request):
    Assignment.objects.create(referral=referral, kind=kind, assignee=assignee,
                              previous=previous, by=actor, at=now)
    who = {"assignee": assignee.pk if assignee else None,
           "previous": previous.pk if previous else None}
    record(referral=referral, kind=ASSIGNMENT_EVENT[kind], actor=actor, request=request, at=now,
           from_status=referral.status, to_status=referral.status, detail=who, audit_detail=who)


@transaction.atomic
def referral_claim(*, referral_id: int, actor, now: datetime | None = None,
                   request=None) -> Referral:
    """Take an unassigned referral. Of two people claiming at once exactly one wins: the
    UPDATE only matches while nobody holds it, and the loser is told who does."""
    now = now or timezone.now()
    referral = Referral.objects.get(pk=referral_id)
    _staff_role(actor, referral)
    if referral.status not in Status.open():
        raise TransitionError("Only an open referral can be taken.")
    won = Referral.objects.filter(pk=referral_id, assignee__isnull=True).update(
        assignee=actor, updated_at=now
    )
    if not won:
        holder = (Referral.objects.filter(pk=referral_id)
                  .values_list("assignee__full_name", flat=True).first())
        raise AlreadyClaimed(holder or "Someone else")
    referral.refresh_from_db()
    _record(referral=referral, kind=AssignmentKind.CLAIM, assignee=actor, previous=None,
            actor=actor, now=now, request=request)
    deadlines.deadline_meet(referral=referral, kind="urgent_pickup", at=now, actor=actor)
    return referral


@transaction.atomic
def referral_assign(*, referral_id: int, actor, assignee, now: datetime | None = None,
                    request=None) -> Referral:
    """A team manager assigns or reassigns the referral to a member of its team (or nobody)."""
    now = now or timezone.now()
    referral = Referral.objects.select_for_update().get(pk=referral_id)
    role = _staff_role(actor, referral)
    releasing_own = assignee is None and referral.assignee_id == actor.pk
    if role != workflow.MANAGER and not releasing_own:
        raise TransitionForbidden("Only the team manager can assign or reassign referrals.")
    if assignee is not None and not TeamMembership.objects.filter(
            user=assignee, team_id=referral.team_id).exists():
        raise TransitionError("Choose someone in the referral's team",
                              {"assignee": "Select a member of this team"})
    previous = referral.assignee
    referral.assignee = assignee
    referral.save(update_fields=["assignee", "updated_at"])
    kind = AssignmentKind.RELEASE if assignee is None else AssignmentKind.ASSIGN
    _record(referral=referral, kind=kind, assignee=assignee, previous=previous, actor=actor,
            now=now, request=request)
    if assignee is not None:
        deadlines.deadline_meet(referral=referral, kind="urgent_pickup", at=now, actor=actor)
    return referral


@transaction.atomic
def note_add(*, referral_id: int, actor, text: str, now: datetime | None = None,
             request=None) -> InternalNote:
    """An internal note for the team; never shown to the referrer."""
    referral = Referral.objects.get(pk=referral_id)
    _staff_role(actor, referral)
    if not text.strip():
        raise TransitionError("Enter the note", {"text": "Enter the note"})
    note = InternalNote.objects.create(referral=referral, author=actor, text=text.strip(),
                                       created_at=now or timezone.now())
    audit_record(action=AuditAction.REFERRAL_NOTE_ADDED, actor=actor, request=request, referral=referral,
                 obj=note)
    return note
