"""What the referrer can do after submitting: add information, and chase a missed timeframe.

Both write a ReferralEvent (so the staff timeline shows them), an audit row and notices to the
people who must act, in one transaction.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.recipients import chase_recipients, information_added_recipients
from core.vocabulary import EventKind, Status
from outbox.models import Channel
from outbox.wording import NoticeKind
from outbox.write import notice_queue
from referrals import access
from referrals.lifecycle import referral_info_receive
from referrals.models import Referral, ReferralEvent
from referrals.record import record
from referrals.services.attachments import attachment_add_submitted

from .selectors import deadline_missed

INFORMATION_MAX_CHARS = 5000


def _check_can_follow(actor, referral: Referral) -> None:
    access.require_follow(actor, referral)
    if referral.status not in Status.open():
        raise ValidationError(
            "This referral is closed. If you have a new concern, make a new referral."
        )


def _notify_staff(*, people, kind: str, referral: Referral, dedupe: str | None = None) -> None:
    for person in people:
        for channel in (Channel.PORTAL, Channel.EMAIL):
            notice_queue(
                kind=kind, recipient=person, referral=referral, channel=channel,
                dedupe_key=f"{dedupe}:{person.pk}:{channel}" if dedupe else None,
            )


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
    attachment = (
        attachment_add_submitted(referral=referral, actor=actor, upload=upload, at=now)
        if upload else None
    )
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
    _notify_staff(people=information_added_recipients(referral), kind=NoticeKind.INFORMATION_ADDED,
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
    managers = chase_recipients(referral)
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
