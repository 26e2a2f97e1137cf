"""Account emails, sent by the worker after the change that causes them has committed."""

from celery import shared_task
from django.utils import timezone

from .models import User
from .selectors import approval_counts


@shared_task(ignore_result=True)
def account_email_send(*, user_id: int, kind: str) -> None:
    """Send one account email by user id. A retry re-checks that the email still applies."""
    from .emails import account_email_compose

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    outgoing = account_email_compose(user=user, kind=kind, now=timezone.now())
    if outgoing is not None:
        outgoing.message().send()


@shared_task(ignore_result=True)
def approvals_waiting_notify() -> None:
    """Tell council administrators how many people wait (a count and a link, no names)."""
    from .emails import approvals_waiting_compose

    admins = list(
        User.objects.filter(is_council_admin=True, is_active=True).values_list("email", flat=True)
    )
    waiting = approval_counts()["awaiting"]
    # One email each: administrators do not need each other's addresses.
    for address in admins:
        outgoing = approvals_waiting_compose(waiting=waiting, admins=[address])
        if outgoing is not None:
            outgoing.message().send()
