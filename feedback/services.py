"""The only writers of notices and feedback records. Sending is feedback.tasks.notices_send.

Other apps call: notice_queue, notices_enqueue_on_commit (for notices written in bulk),
referrer_notify, feedback_owe, feedback_give_by_phone, feedback_outstanding,
feedback_owed_before_close and feedback_assert_given_before_close.
"""

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from audit.services import audit_record
from core.vocabulary import AuditAction, EventKind
from referrals import access
from referrals.record import record as record_change

from .channels import email_channel
from .models import Channel, FeedbackRecord, Notice, NoticeStatus
from .wording import NoticeKind, notice_text

log = logging.getLogger(__name__)

FEEDBACK_CLOCK = "feedback"


class FeedbackOutstanding(ValidationError):
    """The referral owes its referrer feedback that was neither sent nor recorded as given."""


def notices_enqueue(notice_ids: Iterable[int], *, countdown: int | None = None) -> None:
    """Hand committed notices to the broker, NOTICE_SEND_BATCH ids per `notices_send` task.

    A broker outage must not undo or fail the business change that owes the notices: the rows
    are saved, and the requeue sweep sends them once the broker is back. After the first
    refused hand-over the rest are left to the sweep too (each would wait on the same outage).
    """
    from .tasks import notices_send

    ids = list(notice_ids)
    size = max(settings.NOTICE_SEND_BATCH, 1)
    for start in range(0, len(ids), size):
        try:
            notices_send.apply_async((ids[start:start + size],), countdown=countdown)
        except (KombuOperationalError, OSError) as error:  # the broker is unreachable
            log.warning("%s notices not queued (%s); the requeue sweep will send them",
                        len(ids) - start, type(error).__name__)
            return


def notices_enqueue_on_commit(notices: Iterable[Notice]) -> None:
    """Send these notices once the caller's transaction commits, in as few tasks as the batch
    size allows (a rolled-back change sends nothing)."""
    ids = [notice.pk for notice in notices]
    if ids:
        transaction.on_commit(partial(notices_enqueue, ids))


def notice_queue(
    *,
    kind: str,
    subject: str = "",
    body: str = "",
    recipient=None,
    recipient_email: str = "",
    referral=None,
    channel: str = Channel.EMAIL,
    dedupe_key: str | None = None,
    feedback_record: FeedbackRecord | None = None,
    send_after_commit: bool = True,
) -> Notice | None:
    """Write a notice in the caller's transaction and send it after commit.

    Without subject and body the standard wording for `kind` is used (feedback.wording), which
    is what callers should normally do: it holds no personal details. An email-channel notice
    goes by GOV.UK Notify when NOTIFY_API_KEY is set. With a dedupe_key, a second call for the
    same key writes nothing and returns None. A caller writing several notices at once can
    pass send_after_commit=False and hand them all to notices_enqueue_on_commit (one task).
    """
    if recipient is None and not recipient_email:
        raise ValueError("A notice needs a recipient or an email address.")
    if not (subject and body):
        if referral is None:
            raise ValueError("A notice without a referral needs its own subject and body.")
        subject, body = notice_text(kind, referral)
    if channel in (Channel.EMAIL, Channel.NOTIFY):
        channel = email_channel()
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                kind=kind,
                subject=subject,
                body=body,
                recipient=recipient,
                recipient_email=recipient_email or (recipient.email if recipient else ""),
                referral=referral,
                channel=channel,
                dedupe_key=dedupe_key,
                feedback_record=feedback_record,
            )
    except IntegrityError:
        if dedupe_key and Notice.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    if send_after_commit:
        notices_enqueue_on_commit([notice])
    return notice


def _referrer_channels(referral) -> list[str]:
    # Portal notice always; email unless the referrer said email about this case is not safe
    # (staff then phone and record it with feedback_give_by_phone).
    channels = [Channel.PORTAL]
    if referral.feedback_preference != "phone_only":
        channels.append(Channel.EMAIL)
    return channels


def referrer_notify(
    *, referral, kind: str, dedupe_key: str | None = None
) -> Sequence[Notice]:
    """Tell the referrer that something happened (acknowledgement, more information requested,
    re-routed, enquiry started or concluded, closed) in the standard general wording, in the
    portal and, unless they asked for phone only, by email. Call inside the change's
    transaction. The wording is worked out once for every channel.

    With a dedupe_key (the submission's acknowledgement) the notices are written in one
    INSERT ... ON CONFLICT DO NOTHING (feedback.bulk), so a second call writes nothing, and the
    notices come back as a lazy queryset: a caller that does not look pays no query."""
    from .bulk import NoticeDraft, notices_queue_bulk

    channels = _referrer_channels(referral)
    subject, body = notice_text(kind, referral)
    if dedupe_key:
        ids = notices_queue_bulk(
            NoticeDraft(kind=kind, subject=subject, body=body, recipient=referral.referrer,
                        referral=referral, channel=channel, dedupe_key=f"{dedupe_key}:{channel}")
            for channel in channels
        )
        return Notice.objects.filter(pk__in=ids).order_by("pk")
    notices = [
        notice_queue(kind=kind, subject=subject, body=body, recipient=referral.referrer,
                     referral=referral, channel=channel, send_after_commit=False)
        for channel in channels
    ]
    notices_enqueue_on_commit(notices)
    return notices


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
) -> FeedbackRecord:
    """Record the feedback the referrer is owed for a decision and queue the notices carrying it.

    Call inside the decision's transaction. The referrer is never left with silence: withheld
    detail still produces a notice saying so, with a general reason. Opens the referral's
    feedback clock if none is running; sending the email (or recording a phone call) meets it.
    """
    from pathways.deadlines import deadline_open

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
        created_by=actor,
        created_at=now,
    )
    if referral.pathway:  # deadline_open returns the running clock if one is open already
        deadline_open(referral=referral, kind=FEEDBACK_CLOCK, starts=now, actor=actor)
    notices = [
        notice_queue(
            kind=f"feedback:{kind}",
            recipient=referral.referrer,
            referral=referral,
            channel=channel,
            dedupe_key=f"feedback:{record.pk}:{channel}",
            feedback_record=record,
            send_after_commit=False,
        )
        for channel in _referrer_channels(referral)
    ]
    notices_enqueue_on_commit(notice for notice in notices if notice is not None)
    return record


def _feedback_clock_meet_if_done(referral, at: datetime) -> None:
    from pathways.deadlines import deadline_meet

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
    referral merged into it (their referrers are told of its decisions, referrals.transitions
    _owe), each with a feedback record neither sent by email nor recorded as given by phone.
    A referral linked as a duplicate is not here: it carries on and keeps its own guard."""
    from referrals.models import Referral
    from referrals.workflow import Status

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
    """Guard for every closure (referrals.transitions.referral_close, by staff and by the
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


def notices_requeue_due(*, now: datetime, batch: int | None = None) -> int:
    """Re-queue pending notices whose next try is NOTICE_REQUEUE_AFTER_MINUTES overdue.
    Claimed with SKIP LOCKED (a notice being sent right now is left alone) and pushed forward,
    so the next sweep does not pick the same ones while they are in the broker."""
    batch = batch or settings.NOTICE_REQUEUE_BATCH
    cutoff = now - timedelta(minutes=settings.NOTICE_REQUEUE_AFTER_MINUTES)
    with transaction.atomic():
        ids = list(
            Notice.objects.select_for_update(skip_locked=True)
            .filter(status=NoticeStatus.PENDING, next_try_at__lte=cutoff)
            .order_by("next_try_at")
            .values_list("pk", flat=True)[:batch]
        )
        Notice.objects.filter(pk__in=ids).update(next_try_at=now)
    notices_enqueue(ids)
    if ids:
        log.info("requeued %s pending notices", len(ids))
    return len(ids)


@transaction.atomic
def notice_retry_failed(*, notice_id: int, actor, now: datetime, request=None) -> bool:
    """An administrator sends a failed notice again (after fixing an address or the Notify
    configuration). Returns False if it was not failed."""
    if not access.is_administrator(actor):
        raise PermissionDenied("Only council administrators can resend notices.")
    notice = Notice.objects.select_for_update().filter(
        pk=notice_id, status=NoticeStatus.FAILED
    ).first()
    if notice is None:
        return False
    notice.status = NoticeStatus.PENDING
    notice.attempts = 0
    notice.next_try_at = now
    notice.save(update_fields=["status", "attempts", "next_try_at"])
    audit_record(action=AuditAction.NOTICE_RETRIED, actor=actor, request=request,
                 referral=notice.referral, obj=notice)
    notices_enqueue_on_commit([notice])
    return True


@transaction.atomic
def notices_mark_read(*, user, now: datetime) -> int:
    """The person read their portal notices."""
    return Notice.objects.filter(
        recipient=user, channel=Channel.PORTAL, read_at__isnull=True
    ).update(read_at=now)


__all__ = [
    "FeedbackOutstanding", "NoticeKind", "WITHHELD_REASONS", "feedback_assert_given_before_close",
    "feedback_owed_before_close",
    "feedback_give_by_phone", "feedback_mark_given", "feedback_outstanding", "feedback_owe",
    "notice_queue", "notice_retry_failed", "notices_enqueue", "notices_enqueue_on_commit",
    "notices_mark_read", "notices_requeue_due",
    "referrer_notify",
]
