"""Tell a person that an administrator changed how they sign in (issue 14, attack 2).

A change to someone's email address, password or second factor in the Django admin is told to
them at the address they had before the change: if an administrator (or whoever holds an
administrator's session) moves an account to a new address to take it over, the owner hears of
it where they will see it. The email says what kind of thing changed and when, never the new
address or anything else about the account.

Sent in the web process once the change has committed, not through a task: the old address
must not travel in a task's arguments, and after the change no row holds it any more.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.timetext import date_time_text

logger = logging.getLogger(__name__)

# What changed -> the words the email uses.
CHANGES = {
    "email": "the email address you sign in with",
    "password": "your password",
    "second_factor": "how you confirm it is you when you sign in (your authenticator, "
                     "backup codes or emailed codes)",
}
SUBJECT = "Your account was changed"


def account_change_message(*, to: str, changes: list[str], now: datetime) -> EmailMessage:
    context = {
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "changes": [CHANGES[change] for change in changes],
        "when": date_time_text(now),
        # After an email change a reset link would go to the new address: no use to the owner.
        "reset_url": "" if "email" in changes
        else settings.SITE_URL + reverse("accounts:password-reset"),
    }
    body = render_to_string("accounts/email/account-changed.txt", context)
    return EmailMessage(subject=f"{SUBJECT} - {settings.SERVICE_NAME}", body=body, to=[to],
                        from_email=settings.DEFAULT_FROM_EMAIL)


def account_change_tell(*, user_id: int, old_email: str, changes: list[str],
                        now: datetime | None = None) -> None:
    """Send the notice to `old_email` after the current transaction commits."""
    unknown = set(changes) - set(CHANGES)
    if unknown:
        raise ValueError(f"Unknown account change: {sorted(unknown)}")
    if not old_email or not changes:
        return
    message = account_change_message(to=old_email, changes=changes, now=now or timezone.now())

    def send():
        try:
            message.send()
        except Exception:
            # The change has committed and is audited; a mail failure must not turn the
            # admin's page into an error. The id only, never the address.
            logger.exception("Account change notice not sent for user %s", user_id)

    transaction.on_commit(send)
