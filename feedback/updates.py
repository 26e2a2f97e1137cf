"""What the referrer can do after submitting: add information, and chase a missed timeframe.

Both write a ReferralEvent (so the staff timeline shows them), an audit row and notices to the
people who must act, in one transaction.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from core.vocabulary import EventKind, Status
from referrals import access
from referrals.models import Attachment, Referral, ReferralEvent
from referrals.record import record
from referrals.services.attachments import AttachmentRejected, attachment_check
from referrals.transitions import referral_info_receive

from .models import Channel
from .selectors import deadline_missed
from .services import notice_queue
from .wording import NoticeKind

INFORMATION_MAX_CHARS = 5000


def _check_can_follow(actor, referral: Referral) -> None:
    access.require_follow(actor, referral)
    if referral.status not in Status.open():
        raise ValidationError(
            "This referral is closed. If you have a new concern, make a new referral."
        )


def _staff_to_tell(referral: Referral) -> list:
    """The assignee; with nobody assigned yet, the team's managers (who allocate)."""
    if referral.assignee_id and referral.assignee.is_active:
        return [referral.assignee]
    return list(referral.team.managers()) if referral.team_id else []


def _notify_staff(*, people, kind: str, referral: Referral, dedupe: str | None = None) -> None:
    for person in people:
        for channel in (Channel.PORTAL, Channel.EMAIL):
            notice_queue(
                kind=kind, recipient=person, referral=referral, channel=channel,
                dedupe_key=f"{dedupe}:{person.pk}:{channel}" if dedupe else None,
            )


def _attach(*, referral: Referral, actor, upload, at: datetime) -> Attachment:
    """Store a file sent with added information as one of the referral's attachments.

    The referral app's attachment_add is for drafts only; a submitted referral's new file goes
    through the same content check (attachment_check) and the same private, random-name storage,
    so the staff page lists and serves it like any other attachment.
    """
    try:
        detected = attachment_check(referral=referral, upload=upload)
    except AttachmentRejected as rejected:
        raise ValidationError({"file": str(rejected)}) from rejected
    stored = default_storage.save(f"attachments/{secrets.token_hex(20)}", upload)
    try:
        attachment = Attachment.objects.create(
            referral=referral, stored_name=stored, original_name=upload.name[:255],
            description="Added after the referral was sent", content_type=detected,
            size=upload.size, uploaded_by=actor, uploaded_at=at,
        )
    except Exception:
        default_storage.delete(stored)  # no row, no file: nothing personal left on disk
        raise
    return attachment


@transaction.atomic
def referral_information_add(
    *, referral: Referral, actor, text: str, now: datetime, upload=None, request=None
) -> ReferralEvent:
    """The referrer (or their organisation's lead) adds information because the situation
    changed, with an optional file. Notifies the assignee (or the team's managers), and shows
    on both timelines."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _check_can_follow(actor, referral)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter the new information."})
    if len(text) > INFORMATION_MAX_CHARS:
        raise ValidationError(
            {"text": f"The new information must be {INFORMATION_MAX_CHARS} characters or fewer."}
        )
    attachment = _attach(referral=referral, actor=actor, upload=upload, at=now) if upload else None
    event = record(
        referral=referral, kind=EventKind.INFORMATION_ADDED, actor=actor, request=request,
        at=now, reason=text, visible_to_referrer=True,
        detail={"source": "referrer",
                "attachment_ids": [attachment.pk] if attachment else []},
        audit_detail={"chars": len(text), "attachments": 1 if attachment else 0},
    )
    if referral.status == Status.INFO_REQUESTED:
        # The reply is what the team asked for: the referral goes back to where it was at once
        # (the workflow's INFO_RECEIVE), so it returns to the team's queue without waiting for
        # staff to record receipt by hand.
        referral_info_receive(
            referral_id=referral.pk, actor=actor, now=now, request=request, for_referrer=True,
            information="Reply added in the portal: the referral is back with the team.",
        )
    _notify_staff(people=_staff_to_tell(referral), kind=NoticeKind.INFORMATION_ADDED,
                  referral=referral)
    return event


@dataclass(frozen=True)
class ChaseResult:
    event: ReferralEvent
    created: bool


@transaction.atomic
def referral_chase(*, referral: Referral, actor, now: datetime, request=None) -> ChaseResult:
    """The referrer chases a referral whose clock was missed: an escalation on the timeline,
    the team's managers told once per missed clock. Chasing the same clock again records no
    second escalation; the page then repeats who to contact."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _check_can_follow(actor, referral)
    deadline = deadline_missed(referral, now)
    if deadline is None:
        raise ValidationError(
            "You can chase a referral once a timeframe has been missed. None has been missed."
        )
    earlier = ReferralEvent.objects.filter(
        referral=referral, kind=EventKind.CHASED, detail__deadline_id=deadline.pk
    ).first()
    if earlier is not None:
        return ChaseResult(earlier, False)
    managers = list(referral.team.managers()) if referral.team_id else []
    event = record(
        referral=referral, kind=EventKind.CHASED, actor=actor, request=request, at=now,
        reason="You chased this referral because a timeframe was missed. The team manager has "
        "been told.",
        visible_to_referrer=True,
        detail={"deadline_id": deadline.pk, "clock": deadline.kind, "escalation": True},
        audit_detail={"clock": deadline.kind, "managers": len(managers)},
    )
    _notify_staff(people=managers, kind=NoticeKind.CHASED, referral=referral,
                  dedupe=f"chase:{deadline.pk}")
    return ChaseResult(event, True)
