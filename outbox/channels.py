"""Delivering notices through their channels. Called by feedback.tasks only.

`NoticeSender` is one opened email connection and one GOV.UK Notify client (one HTTP session)
for a batch of notices; `deliver(notice)` sends a single notice through a sender of its own.
Each delivery returns the provider's reference (or "") and raises on failure:
`PermanentFailure` when trying again cannot help (Notify refused the request), anything else
is treated as temporary and retried with backoff.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from .models import Channel, Notice
from .wording import sign_in_link

log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """The provider refused the notice; retrying would be refused again."""


def email_channel() -> str:
    """The channel email-type notices go by: GOV.UK Notify once its key is configured."""
    return Channel.NOTIFY if settings.NOTIFY_API_KEY else Channel.EMAIL


def _referrer_id(notice: Notice) -> int | None:
    # The send task annotates the referrer's id so it need not load the referral row (which
    # holds the person's details) into the worker; a plain notice falls back to the relation.
    if hasattr(notice, "referral_referrer_id"):
        return notice.referral_referrer_id
    return notice.referral.referrer_id if notice.referral_id is not None else None


def _to_referrer(notice: Notice) -> bool:
    """Only the referral's referrer is sent to its status page; staff sign in to their own."""
    return (
        notice.referral_id is not None
        and notice.recipient_id is not None
        and notice.recipient_id == _referrer_id(notice)
    )


def email_body(notice: Notice) -> str:
    link = sign_in_link(settings.SITE_URL, notice.referral_id, staff=not _to_referrer(notice))
    return (
        f"{notice.body}\n\nSign in to see more: {link}\n\n"
        f"{settings.COUNCIL_NAME}\nThis email was sent by an automated service. Do not reply."
    )


class NoticeSender:
    """Deliver many notices through one email connection and one Notify client.

    Each notice is sent on its own (one message per SMTP transaction, one Notify request), so
    one refused or failing notice does not stop the others; after a failure the email
    connection is closed and the next notice opens a fresh one.

        with NoticeSender() as sender:
            reference = sender.deliver(notice)
    """

    def __init__(self):
        self._email = None
        self._notify = None

    def __enter__(self) -> "NoticeSender":
        return self

    def __exit__(self, *exc_info) -> None:
        self._close_email()
        if self._notify is not None:
            self._notify.request_session.close()
            self._notify = None

    def deliver(self, notice: Notice) -> str:
        """Send the notice through its channel; portal notices need no delivery."""
        if notice.channel == Channel.PORTAL:
            return ""
        if notice.channel == Channel.NOTIFY:
            return self._send_notify(notice)
        return self._send_email(notice)

    # -- email (Django's backend: SMTP in production, locmem in tests)
    def _send_email(self, notice: Notice) -> str:
        if self._email is None:
            self._email = get_connection(fail_silently=False)
            self._email.open()
        message = EmailMessage(
            subject=notice.subject,
            body=email_body(notice),
            to=[notice.recipient_email],
            headers={"X-Portal-Notice": str(notice.pk)},
            connection=self._email,
        )
        try:
            self._email.send_messages([message])
        except Exception:
            self._close_email()  # the connection may be half-broken: the next notice reopens
            raise
        return ""

    def _close_email(self) -> None:
        if self._email is None:
            return
        connection, self._email = self._email, None
        try:
            connection.close()
        except Exception as error:  # closing a broken SMTP connection can itself fail
            log.info("email connection did not close cleanly: %s", type(error).__name__)

    # -- GOV.UK Notify
    def _notify_client(self):
        from notifications_python_client.notifications import NotificationsAPIClient

        if not settings.NOTIFY_API_KEY or not settings.NOTIFY_TEMPLATE_ID:
            raise PermanentFailure(
                "GOV.UK Notify is not configured (NOTIFY_API_KEY, NOTIFY_TEMPLATE_ID)"
            )
        if self._notify is None:
            self._notify = NotificationsAPIClient(
                settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL,
                timeout=settings.NOTIFY_TIMEOUT_SECONDS,
            )
        return self._notify

    def _send_notify(self, notice: Notice) -> str:
        from notifications_python_client.errors import HTTPError

        client = self._notify_client()
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
                raise PermanentFailure(
                    f"GOV.UK Notify refused the notice (HTTP {status})"
                ) from error
            raise
        return str(response.get("id", ""))


def deliver(notice: Notice) -> str:
    """Send one notice through its channel (a connection of its own); see NoticeSender."""
    with NoticeSender() as sender:
        return sender.deliver(notice)
