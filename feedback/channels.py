"""Delivering one notice through its channel. Called by feedback.tasks.notice_send only.

Each function returns the provider's reference (or "") and raises on failure:
`PermanentFailure` when trying again cannot help (Notify refused the request), anything else
is treated as temporary and retried with backoff.
"""

from django.conf import settings
from django.core.mail import EmailMessage

from .models import Channel, Notice
from .wording import sign_in_link


class PermanentFailure(Exception):
    """The provider refused the notice; retrying would be refused again."""


def email_channel() -> str:
    """The channel email-type notices go by: GOV.UK Notify once its key is configured."""
    return Channel.NOTIFY if settings.NOTIFY_API_KEY else Channel.EMAIL


def _to_referrer(notice: Notice) -> bool:
    """Only the referral's referrer is sent to its status page; staff sign in to their own."""
    return (
        notice.referral_id is not None
        and notice.recipient_id is not None
        and notice.recipient_id == notice.referral.referrer_id
    )


def email_body(notice: Notice) -> str:
    link = sign_in_link(settings.SITE_URL, notice.referral_id, staff=not _to_referrer(notice))
    return (
        f"{notice.body}\n\nSign in to see more: {link}\n\n"
        f"{settings.COUNCIL_NAME}\nThis email was sent by an automated service. Do not reply."
    )


def _send_email(notice: Notice) -> str:
    message = EmailMessage(
        subject=notice.subject,
        body=email_body(notice),
        to=[notice.recipient_email],
        headers={"X-Portal-Notice": str(notice.pk)},
    )
    message.send(fail_silently=False)
    return ""


def _send_notify(notice: Notice) -> str:
    from notifications_python_client.errors import HTTPError
    from notifications_python_client.notifications import NotificationsAPIClient

    if not settings.NOTIFY_API_KEY or not settings.NOTIFY_TEMPLATE_ID:
        raise PermanentFailure("GOV.UK Notify is not configured (NOTIFY_API_KEY, NOTIFY_TEMPLATE_ID)")
    client = NotificationsAPIClient(
        settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL,
        timeout=settings.NOTIFY_TIMEOUT_SECONDS,
    )
    try:
        response = client.send_email_notification(
            email_address=notice.recipient_email,
            template_id=settings.NOTIFY_TEMPLATE_ID,
            # The template is "((subject))" / "((body))": every word is ours, in general terms.
            personalisation={"subject": notice.subject, "body": email_body(notice)},
            reference=f"notice-{notice.pk}",
        )
    except HTTPError as error:
        # Notify's documented errors: 400 and 403 are our mistake (bad request, bad key) and
        # will not succeed on retry; 429 (rate limit) and 5xx are worth retrying.
        status = getattr(error, "status_code", None)
        if status is not None and 400 <= status < 500 and status != 429:
            raise PermanentFailure(f"GOV.UK Notify refused the notice (HTTP {status})") from error
        raise
    return str(response.get("id", ""))


def deliver(notice: Notice) -> str:
    """Send the notice through its channel; portal notices need no delivery."""
    if notice.channel == Channel.PORTAL:
        return ""
    if notice.channel == Channel.NOTIFY:
        return _send_notify(notice)
    return _send_email(notice)
