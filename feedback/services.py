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
