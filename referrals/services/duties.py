"""Staff record a parallel duty on a referral as done or not needed (issue 16, part 4).

Check (staff who act on the referral: referrals.access.may_act; the state; a reason when not
needed), then do (the row, locked) and log (referrals.record: the timeline event, internal,
and its audit row with ids and the state only), in one transaction.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.vocabulary import EventKind

from .. import access
from ..models import DutyState, ReferralDuty
from ..record import record

NOTE_MAX = 500


def duty_record_problems(*, state: str, note: str) -> dict[str, str]:
    """Field errors, before anything is written."""
    problems = {}
    if state not in DutyState.recordable():
        problems["state"] = "Select done or not needed"
    if state == DutyState.NOT_NEEDED and not note:
        problems["note"] = "Enter why it is not needed"
    if len(note) > NOTE_MAX:
        problems["note"] = f"The reason must be {NOTE_MAX} characters or fewer"
    return problems


def referral_duty_record(*, referral, duty_id: int, actor, state: str, note: str = "",
                         now: datetime | None = None, request=None) -> ReferralDuty:
    """Record the referral's duty `duty_id` as done or not needed. The duty must be one of this
    referral's (an id from another referral is refused like an unknown one)."""
    now = now or timezone.now()
    note = (note or "").strip()
    if not access.may_act(actor, referral):
        raise access.OutOfScope("You cannot act on this referral.")
    problems = duty_record_problems(state=state, note=note)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        item = (ReferralDuty.objects.select_for_update(of=("self",)).select_related("duty")
                .filter(referral_id=referral.pk, pk=duty_id).first())
        if item is None:
            raise ReferralDuty.DoesNotExist("No such duty on this referral.")
        previous = item.state
        item.state, item.note, item.recorded_by, item.recorded_at = state, note, actor, now
        item.save(update_fields=["state", "note", "recorded_by", "recorded_at"])
        label = DutyState(state).label.lower()
        record(referral=referral, kind=EventKind.DUTY_RECORDED, actor=actor, request=request,
               at=now, from_status=referral.status, to_status=referral.status,
               reason=f"{item.duty.name}: {label}" + (f" ({note})" if note else ""),
               detail={"duty": item.duty.key, "state": state, "previous": previous},
               audit_detail={"duty": item.duty.key, "state": state, "previous": previous},
               obj=item)
    return item
