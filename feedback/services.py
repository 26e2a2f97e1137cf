"""The only writers of feedback records. The notices that carry them are the outbox's
(outbox.write); sending one by email gives the feedback (feedback_mark_given).

Other apps call: feedback_owe, feedback_give_by_phone, feedback_outstanding,
feedback_owed_before_close and feedback_assert_given_before_close.
"""

import logging
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.recipients import follow_up_person
from audit.services import audit_record
from core.vocabulary import AuditAction, EventKind, Status
from outbox.dispatch import notices_enqueue_on_commit
from outbox.write import notice_failed_requeue, notice_queue, referrer_channels
from pathways.deadlines import deadline_meet, deadline_open
from referrals import access
from referrals.models import Referral
from referrals.record import record as record_change

from .models import FeedbackRecord

log = logging.getLogger(__name__)

FEEDBACK_CLOCK = "feedback"


class FeedbackOutstanding(ValidationError):
    """The referral owes its referrer feedback that was neither sent nor recorded as given."""


WITHHELD_REASONS = {
    "police_investigation": "A police investigation means we cannot share details at the moment.",
    "risk_to_person": "Sharing details could put the person at greater risk.",
    "no_consent": "The person has not agreed to details being shared.",
}


def feedback_owe(
    *,
    referral,
    kind: str,
    outcome_text: str,
    reason: str = "",
    signposting: str = "",
    withheld: bool = False,
    withheld_reason: str = "",
    actor=None,
    now: datetime | None = None,
    explanation: str = "",
    service_ids=(),
) -> FeedbackRecord:
    """Record the feedback the referrer is owed for a decision and queue the notices carrying it.

    Call inside the decision's transaction. The referrer is never left with silence: withheld
    detail still produces a notice saying so, with a general reason. Opens the referral's
    feedback clock if none is running; sending the email (or recording a phone call) meets it.
    """
    if withheld and withheld_reason not in WITHHELD_REASONS:
        raise ValueError(f"Unknown withheld reason: {withheld_reason!r}")
    if not withheld and not outcome_text.strip():
        raise ValueError("Feedback needs the outcome in plain words, or detail withheld.")
    now = now or timezone.now()
    record = FeedbackRecord.objects.create(
        referral=referral,
        kind=kind,
        outcome_text=outcome_text,
        reason=reason,
        signposting=signposting,
        withheld=withheld,
        withheld_reason=withheld_reason,
        explanation=explanation,
        created_by=actor,
        created_at=now,
    )
    if service_ids:
        record.services.set(service_ids)
    if referral.pathway:  # deadline_open returns the running clock if one is open already
        deadline_open(referral=referral, kind=FEEDBACK_CLOCK, starts=now, actor=actor)
    notices = [
        notice_queue(
            kind=f"feedback:{kind}",
            recipient=follow_up_person(referral),
            referral=referral,
            channel=channel,
            dedupe_key=f"feedback:{record.pk}:{channel}",
            feedback_record=record,
            send_after_commit=False,
        )
        for channel in referrer_channels(referral)
    ]
    notices_enqueue_on_commit(notice for notice in notices if notice is not None)
    return record


def _feedback_clock_meet_if_done(referral, at: datetime) -> None:
    if not FeedbackRecord.objects.filter(referral=referral, given_at__isnull=True).exists():
        deadline_meet(referral=referral, kind=FEEDBACK_CLOCK, at=at)


@transaction.atomic
def feedback_mark_given(*, record_id: int, at: datetime) -> bool:
    """The notice carrying this feedback was emailed: the feedback counts as given.
    Called by the send task inside its transaction; returns False if it was already given."""
    record = FeedbackRecord.objects.select_for_update().select_related("referral").get(
        pk=record_id
    )
    if record.given_at is not None:
        return False
    record.given_at = at
    record.save(update_fields=["given_at"])
    _feedback_clock_meet_if_done(record.referral, at)
    return True


def _check_can_record_feedback(actor, referral) -> None:
    if not access.may_act(actor, referral):
        raise access.OutOfScope("Only the referral's team can record feedback given by phone.")


@transaction.atomic
def feedback_give_by_phone(
    *, referral, actor, given_at: datetime, summary: str, request=None, closing=None
) -> FeedbackRecord:
    """Staff phoned the referrer and gave the feedback owed (referrers for whom email about the
    case is not safe). Marks every outstanding feedback record given, or records the call as
    feedback in its own right if none was outstanding, and meets the feedback clock.

    `closing`: the referral being closed that this one's feedback is owed through (it was
    merged into it); the team closing that one records the call, even from another team."""
    _check_can_record_feedback(actor, closing or referral)
    if not summary.strip():
        raise ValidationError({"summary": "Enter a short summary of what you told the referrer."})
    outstanding = list(
        FeedbackRecord.objects.select_for_update().filter(referral=referral, given_at__isnull=True)
    )
    if not outstanding:
        outstanding = [FeedbackRecord.objects.create(
            referral=referral, kind="phone", outcome_text=summary, created_by=actor,
            created_at=given_at,
        )]
    for record in outstanding:
        record.given_at = given_at
        record.given_by_phone = True
        record.phone_summary = summary
        record.save(update_fields=["given_at", "given_by_phone", "phone_summary"])
    record_change(
        referral=referral, kind=EventKind.FEEDBACK_BY_PHONE, actor=actor, request=request,
        at=given_at, reason="Feedback given to you by phone.", visible_to_referrer=True,
        detail={"feedback_records": [record.pk for record in outstanding]},
        audit_detail={"records": len(outstanding)},
    )
    _feedback_clock_meet_if_done(referral, given_at)
    return outstanding[-1]


def feedback_outstanding(referral) -> bool:
    """True while the referrer is owed feedback that was neither sent nor recorded as given.

    Mandatory feedback (the borough's policy since July 2024): every feedback record must be
    given, and a received referral must have had at least one (the decision, or a phone call).
    """
    records = FeedbackRecord.objects.filter(referral=referral)
    if records.filter(given_at__isnull=True).exists():
        return True
    return referral.received_at is not None and not records.exists()


def feedback_owed_before_close(referral) -> list:
    """The referrals whose referrers are still owed feedback through this one: itself and every
    referral merged into it (their referrers are told of its decisions, triage.transitions
    _owe), each with a feedback record neither sent by email nor recorded as given by phone.
    A referral linked as a duplicate is not here: it carries on and keeps its own guard."""
    owed_ids = FeedbackRecord.objects.filter(given_at__isnull=True).values("referral_id")
    return list(
        Referral.objects.filter(
            Q(pk=referral.pk) | Q(linked_to=referral, status=Status.MERGED), pk__in=owed_ids
        ).order_by("pk")
    )


def _owed_words(owed) -> str:
    """What is owed and how staff record it, one sentence per referral (no personal details)."""
    words = []
    for target in owed:
        if target.feedback_preference == "phone_only":
            words.append(
                f"{target.reference}: the referrer asked for feedback by phone only. Phone them, "
                "then record it with \"Record feedback given by phone\" on that referral."
            )
        else:
            words.append(
                f"{target.reference}: the email with the referrer's feedback has not been sent "
                "yet. Wait for it to be sent (a failed email is listed for administrators to "
                "send again), or phone the referrer and record it with \"Record feedback given "
                "by phone\" on that referral."
            )
    return " ".join(words)


def feedback_assert_given_before_close(referral) -> None:
    """Guard for every closure (triage.transitions.referral_close, by staff and by the
    manager signing off an enquiry): refuse while feedback already owed to any of the
    referral's referrers is neither sent nor recorded. The closure's own feedback is written
    with the closure itself."""
    owed = feedback_owed_before_close(referral)
    if owed:
        raise FeedbackOutstanding(
            "You cannot close this referral until the referrer has been given the feedback "
            f"they are owed. {_owed_words(owed)}",
            code="feedback_outstanding",
        )


@transaction.atomic
def notice_retry_failed(*, notice_id: int, actor, now: datetime, request=None) -> bool:
    """An administrator sends a failed notice again (after fixing an address or the Notify
    configuration). Returns False if it was not failed."""
    if not access.is_administrator(actor):
        raise PermissionDenied("Only council administrators can resend notices.")
    notice = notice_failed_requeue(notice_id=notice_id, now=now)
    if notice is None:
        return False
    audit_record(action=AuditAction.NOTICE_RETRIED, actor=actor, request=request,
                 referral=notice.referral, obj=notice)
    return True


__all__ = [
    "FeedbackOutstanding", "WITHHELD_REASONS", "feedback_assert_given_before_close",
    "feedback_owed_before_close",
    "feedback_give_by_phone", "feedback_mark_given", "feedback_outstanding", "feedback_owe",
    "notice_retry_failed",
]
