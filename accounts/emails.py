"""Account emails: what each says. Rendered from plain-text templates with absolute links.

Only ids reach this module (through tasks); the person's own address is used as the recipient
and nothing personal about anyone else is put in an email.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Membership, MembershipStatus, User
from .tokens import MAX_AGE, verification_token_make

SUBJECTS = {
    "verify": "Confirm your email address",
    "already-registered": "You already have an account",
    "approved": "You can now make safeguarding referrals",
    "refused": "Your request to use the safeguarding referral portal",
    "approvals-waiting": "People are waiting for approval",
    "password-reset": "Reset your password",
}


@dataclass(frozen=True)
class Outgoing:
    kind: str
    to: list[str]
    context: dict

    def message(self) -> EmailMessage:
        body = render_to_string(f"accounts/email/{self.kind}.txt", self.context)
        subject = f"{SUBJECTS[self.kind]} - {settings.SERVICE_NAME}"
        return EmailMessage(subject=subject, body=body, to=self.to,
                            from_email=settings.DEFAULT_FROM_EMAIL)


def _link(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _base() -> dict:
    return {"service_name": settings.SERVICE_NAME, "council_name": settings.COUNCIL_NAME}


def account_email_compose(*, user: User, kind: str, now: datetime) -> Outgoing | None:
    """The email for `kind`, or None when it no longer applies (so a retried task is harmless)."""
    context = {**_base(), "user": user, "sign_in_url": _link("accounts:sign-in"),
               "reset_url": _link("accounts:password-reset")}
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    context["membership"] = membership
    if kind == "verify":
        if user.email_verified:
            return None
        token = verification_token_make(user=user, now=now)
        context["verify_url"] = _link("accounts:verify-email", token)
        context["valid_days"] = MAX_AGE.days
    elif kind == "approved":
        if membership is None or membership.status != MembershipStatus.APPROVED:
            return None
    elif kind == "refused":
        if membership is None or membership.status != MembershipStatus.REFUSED:
            return None
    elif kind == "password-reset":
        if not user.has_usable_password():
            return None
        # From SITE_URL, never the request's Host header (issue 14, attack 7): a forged Host
        # would otherwise send the person's reset token to the attacker's site.
        context["reset_confirm_url"] = _link(
            "accounts:password-reset-confirm",
            urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user),
        )
        context["valid_hours"] = settings.PASSWORD_RESET_TIMEOUT // 3600
    elif kind != "already-registered":
        raise ValueError(f"Unknown account email: {kind}")
    return Outgoing(kind=kind, to=[user.email], context=context)


def approvals_waiting_compose(*, waiting: int, admins: list[str]) -> Outgoing | None:
    if not waiting or not admins:
        return None
    context = {**_base(), "waiting": waiting, "approvals_url": _link("accounts:approvals")}
    return Outgoing(kind="approvals-waiting", to=admins, context=context)
