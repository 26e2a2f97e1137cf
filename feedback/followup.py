"""Handing a referral's follow-up to a colleague (issue 15, a named contact).

When the referrer is away or has left, their organisation's safeguarding lead hands the
referral's follow-up to a colleague: an active, approved member of the same organisation. The
colleague then follows it as the referrer does (referrals.access.may_follow: the status page,
add information, chase, things have got worse, challenge) and receives what the referrer would
be told (accounts.recipients.follow_up_person). The referrer keeps following it while still a
member, but is no longer sent its notices; handing it back to the referrer clears the
colleague. Recorded by referrals.record (the `follow_up_passed` event and its audit row).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.recipients import follow_up_person
from core.vocabulary import EventKind
from outbox.dispatch import notices_enqueue_on_commit
from outbox.models import Channel
from outbox.write import notice_queue, referrer_channels
from referrals import access
from referrals.access import OutOfScope, referral_id_parse
from referrals.models import Referral
from referrals.record import record

CHOOSE = "Select the colleague who will follow up this referral"


def colleagues_for(referral: Referral):
    """Whom the follow-up may go to: the organisation's active, approved members, except the
    person following it now."""
    current = follow_up_person(referral)
    return (access.follow_up_colleagues(referral.organisation_id).exclude(pk=current.pk)
            .order_by("full_name", "pk"))


@transaction.atomic
def referral_follow_up_pass(*, referral: Referral, actor, colleague_id, now: datetime,
                            request=None) -> Referral:
    """The organisation's lead hands the follow-up to `colleague_id`. Anything out of scope
    (not the lead, another organisation's referral, a draft) raises OutOfScope and changes
    nothing; a colleague who is not an active member of the organisation is a form error."""
    referral = (Referral.objects.select_for_update(of=("self",))
                .select_related("organisation", "referrer", "follower").get(pk=referral.pk))
    if not access.may_pass_follow_up(actor, referral):
        raise OutOfScope("Only your organisation's safeguarding lead can hand this referral on.")
    pk = referral_id_parse(colleague_id)  # ASCII digits in range, or None
    colleague = colleagues_for(referral).filter(pk=pk).first() if pk else None
    if colleague is None:
        raise ValidationError({"colleague": CHOOSE})
    previous = follow_up_person(referral)
    referral.follower = None if colleague.pk == referral.referrer_id else colleague
    referral.save(update_fields=["follower", "updated_at"])
    organisation = referral.organisation.name
    record(referral=referral, kind=EventKind.FOLLOW_UP_PASSED, actor=actor, request=request,
           at=now, visible_to_referrer=True,
           reason=f"{colleague.full_name} now follows up this referral for {organisation}.",
           detail={"from_user": previous.pk, "to_user": colleague.pk},
           audit_detail={"from_user": previous.pk, "to_user": colleague.pk,
                         "back_to_referrer": referral.follower_id is None})
    key = f"follow_up:{referral.pk}:{now.timestamp():.0f}:{colleague.pk}"
    notices = [
        notice_queue(kind="follow_up", recipient=colleague, referral=referral, channel=channel,
                     send_after_commit=False, dedupe_key=f"{key}:to:{channel}",
                     subject=f"You now follow up safeguarding referral {referral.reference}",
                     body=f"Your organisation's safeguarding lead has asked you to follow up "
                          f"safeguarding referral {referral.reference}. You will be told what "
                          "happens next. Sign in to see it.")
        for channel in referrer_channels(referral)
    ]
    if previous.is_active and previous.pk != colleague.pk:
        notices.append(notice_queue(
            kind="follow_up", recipient=previous, referral=referral, channel=Channel.PORTAL,
            send_after_commit=False, dedupe_key=f"{key}:from",
            subject=f"Safeguarding referral {referral.reference} is followed up by a colleague",
            body=f"Your organisation's safeguarding lead has asked a colleague to follow up "
                 f"safeguarding referral {referral.reference}. They will be told what happens "
                 "next."))
    notices_enqueue_on_commit([notice for notice in notices if notice is not None])
    return referral
