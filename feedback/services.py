"""Writing notices into the outbox. Sending is feedback.tasks.notice_send."""

from django.db import IntegrityError, transaction

from .models import Channel, Notice


def notice_queue(
    *,
    kind: str,
    subject: str,
    body: str,
    recipient=None,
    recipient_email: str = "",
    referral=None,
    channel: str = Channel.EMAIL,
    dedupe_key: str | None = None,
) -> Notice | None:
    """Write a notice in the caller's transaction and send it after commit.

    With a dedupe_key, a second call for the same key writes nothing and returns None.
    """
    if recipient is None and not recipient_email:
        raise ValueError("A notice needs a recipient or an email address.")
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
            )
    except IntegrityError:
        if dedupe_key and Notice.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    from .tasks import notice_send

    transaction.on_commit(lambda: notice_send.delay(notice.pk))
    return notice


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
):
    """Record the feedback the referrer is owed for a decision and queue the notice carrying it.

    Call inside the decision's transaction. The referrer is never left with silence: withheld
    detail still produces a notice saying so, with a general reason.
    """
    from .models import FeedbackRecord

    if withheld and withheld_reason not in WITHHELD_REASONS:
        raise ValueError(f"Unknown withheld reason: {withheld_reason!r}")
    if not withheld and not outcome_text.strip():
        raise ValueError("Feedback needs the outcome in plain words, or detail withheld.")
    record = FeedbackRecord.objects.create(
        referral=referral,
        kind=kind,
        outcome_text=outcome_text,
        reason=reason,
        signposting=signposting,
        withheld=withheld,
        withheld_reason=withheld_reason,
        created_by=actor,
    )
    # Portal notice always; email unless the referrer asked for phone only (the phone call is
    # then recorded by staff and satisfies the feedback clock).
    channels = [Channel.PORTAL]
    if referral.feedback_preference != "phone_only":
        channels.append(Channel.EMAIL)
    for channel in channels:
        notice_queue(
            kind=f"feedback:{kind}",
            subject=f"Update on safeguarding referral {referral.reference}",
            body=(
                f"There is an update on referral {referral.reference}: a decision has been "
                "recorded. Sign in to the portal to read it."
            ),
            recipient=referral.referrer,
            referral=referral,
            channel=channel,
            dedupe_key=f"feedback:{record.pk}:{channel}",
        )
    return record
