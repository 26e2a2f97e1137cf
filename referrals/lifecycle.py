"""The referral's own transitions: what every transition shares, and the referrer's changes.

The shared steps (check the person and the workflow table, lock the row, write the record,
open and meet the clocks) are here so that a change the referrer makes from their side (reply
to a request for information through feedback.updates, withdraw) stays in referrals, below
feedback; the staff's decisions (triage.transitions) use the same steps.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core.vocabulary import Status
from outbox.wording import NoticeKind
from outbox.write import referrer_notify
from pathways import deadlines

from . import access, workflow
from .models import Referral, ReferralEvent
from .record import record as record_change
from .workflow import Action, Transition


class TransitionError(Exception):
    """The change is not allowed now. `errors` maps form fields to messages, when known."""

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.errors = errors or {}


class TransitionForbidden(TransitionError, PermissionDenied):
    """The person may not make this change on this referral (or on the one it names)."""


# --- check, then do and log: the steps every transition takes ----------------------------------

def referral_locked(referral_id: int) -> Referral:
    """The referral's row, locked for the change (and its team and referrer, read with it)."""
    return Referral.objects.select_for_update(of=("self",)).select_related("team", "referrer").get(
        pk=referral_id
    )


def transition_check(*, referral: Referral, actor, action: str, outcome: str = "",
                     role: str | None = None) -> Transition:
    """The table row allowing this change, or TransitionError/TransitionForbidden saying why.
    `role` is given only by a service that has already checked the actor's access itself."""
    role = role or access.role_on(actor, referral)
    if role is None:
        raise TransitionForbidden("You do not have access to this referral.")
    row = workflow.transition_find(
        action=action, status=referral.status, pathway=referral.pathway, outcome=outcome,
        role=role,
    )
    if row is not None:
        return row
    if workflow.transition_find(action=action, status=referral.status,
                                pathway=referral.pathway, outcome=outcome) is not None:
        raise TransitionForbidden(f"Your role cannot do this: {Action(action).label.lower()}.")
    status_label = Status(referral.status).label.lower() if referral.status in Status.values \
        else referral.status
    raise TransitionError(
        f"This cannot be done to a referral that is {status_label}: "
        f"{Action(action).label.lower()}."
    )


def require_reason(row: Transition, reason: str) -> None:
    if row.reason_required and not reason.strip():
        raise TransitionError("Enter a reason", {"reason": "Enter a reason"})


def transition_log(*, referral: Referral, row: Transition, actor, now: datetime,
                   from_status: str, reason: str, detail: dict, request=None) -> ReferralEvent:
    """The timeline event and audit row of this change, together (referrals.record)."""
    return record_change(
        referral=referral, kind=workflow.EVENT_KIND[row.action], actor=actor, request=request,
        at=now, from_status=from_status, to_status=referral.status, reason=reason,
        visible_to_referrer=row.visible_to_referrer, detail=detail,
        audit_detail={"from": from_status, "to": referral.status, "outcome": row.outcome},
    )


def transition_clocks(*, referral: Referral, row: Transition, actor, now: datetime) -> None:
    """Meet and open the clocks the table's row names."""
    for kind in row.meets:
        deadlines.deadline_meet(referral=referral, kind=kind, at=now, actor=actor)
    for kind in row.ends:
        deadlines.deadline_end(referral=referral, kind=kind, at=now, reason=row.ended_because,
                               actor=actor)
    for kind in row.opens:
        deadlines.deadline_open(referral=referral, kind=kind, starts=now, actor=actor)


# --- the referrer's side ------------------------------------------------------------------------

@transaction.atomic
def referral_info_receive(*, referral_id: int, actor, information: str,
                          now: datetime | None = None, request=None,
                          for_referrer: bool = False) -> Referral:
    """Record the information asked for; the referral returns to where it was.

    `for_referrer`: the referrer's side replied through feedback.updates, which has checked
    that the actor follows this referral (its referrer or their organisation's lead)."""
    now = now or timezone.now()
    referral = referral_locked(referral_id)
    if for_referrer and not access.may_follow(actor, referral):
        # The policy again, whatever the caller checked: only the referrer's side replies so.
        raise TransitionForbidden("You cannot update this referral.")
    row = transition_check(referral=referral, actor=actor, action=Action.INFO_RECEIVE,
                           role=workflow.REFERRER if for_referrer else None)
    if not information.strip():
        raise TransitionError("Enter the information", {"information": "Enter the information"})
    asked = (referral.events.filter(kind=workflow.EVENT_KIND[Action.INFO_REQUEST])
             .order_by("-at", "-id").first())
    from_status = referral.status
    referral.status = asked.from_status if asked else Status.SUBMITTED
    referral.save(update_fields=["status", "updated_at"])
    event = transition_log(referral=referral, row=row, actor=actor, now=now,
                           from_status=from_status, reason=information.strip(),
                           request=request, detail={})
    # Issue 15: the referrer's side is told the information arrived and the referral is back
    # with the team, whoever supplied it (their reply in the portal, or staff recording a call
    # or another agency's answer); general words only, so safe whatever consent allows.
    referrer_notify(referral=referral, kind=NoticeKind.INFO_RECEIVED,
                    dedupe_key=f"info_received:{event.pk}")
    return referral


@transaction.atomic
def referral_withdraw(*, referral_id: int, actor, reason: str,
                      now: datetime | None = None, request=None) -> Referral:
    """The referrer withdraws their referral before anyone has triaged it."""
    now = now or timezone.now()
    referral = referral_locked(referral_id)
    row = transition_check(referral=referral, actor=actor, action=Action.WITHDRAW)
    require_reason(row, reason)
    from_status = referral.status
    referral.status, referral.closed_at, referral.assignee = row.target, now, None
    referral.save(update_fields=["status", "closed_at", "assignee", "updated_at"])
    transition_log(referral=referral, row=row, actor=actor, now=now, from_status=from_status,
                   reason=reason.strip(), request=request, detail={})
    transition_clocks(referral=referral, row=row, actor=actor, now=now)
    return referral
