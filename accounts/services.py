"""The only code that changes people and memberships. Keyword-only, atomic, audited.

Emails go out after the transaction commits, through a task that takes ids (never addresses or
names), so a rolled-back change never emails anyone.
"""

from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction

from audit.services import audit_record
from core.vocabulary import AuditAction

from . import tasks
from .models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    Organisation,
    Sector,
    User,
)
from .tokens import TokenExpired, TokenInvalid, fingerprint_matches, verification_token_read


class VerificationFailed(Exception):
    """A verification link that cannot be used; `expired` says whether a new one would help."""

    def __init__(self, *, expired: bool):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


class ApprovalError(Exception):
    """The request cannot be decided (already decided, or the address is not confirmed)."""


def _email_later(user_id: int, kind: str) -> None:
    transaction.on_commit(lambda: tasks.account_email_send.delay(user_id=user_id, kind=kind))


@transaction.atomic
def referrer_sign_up(
    *,
    full_name: str,
    email: str,
    password: str,
    job_title: str,
    phone: str = "",
    organisation: Organisation | None,
    new_organisation_name: str = "",
    new_organisation_sector: str = "",
    now: datetime,
    request=None,
) -> User | None:
    """Create an unconfirmed referrer with a pending membership and email a verification link.

    An address that already has an account gets an email saying so instead, and the caller
    shows the same page either way: the form never reveals who has an account.
    """
    email = User.objects.normalize_email(email).strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    # Hash the password on both paths: hashing is most of the work (a second at production
    # cost), so a path without it would tell anyone timing the answer that the address has an
    # account (issue 14, attack 3).
    password_hash = make_password(password)
    if existing is not None:
        audit_record(action=AuditAction.ACCOUNT_SIGNED_UP_EXISTING, request=request, obj=existing)
        _email_later(existing.pk, "already-registered")
        return None
    new_organisation = organisation is None
    if new_organisation:
        # A name typed at sign-up is not listed publicly until an administrator verifies it
        # (accounts.forms.organisation_choices); the next person to type it joins the same one.
        name = new_organisation_name.strip()
        organisation = Organisation.objects.filter(name__iexact=name, verified=False).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=name, sector=new_organisation_sector or Sector.OTHER, verified=False,
                created_at=now,
            )
    user = User.objects.create_user(
        email=email,
        password=None,
        full_name=full_name.strip(),
        job_title=job_title.strip(),
        phone=phone.strip(),
        email_verified=False,
        date_joined=now,
    )
    user.password = password_hash
    user.save(update_fields=["password"])
    Membership.objects.create(
        user=user, organisation=organisation, role=MembershipRole.REFERRER,
        status=MembershipStatus.PENDING, requested_at=now,
    )
    audit_record(
        action=AuditAction.ACCOUNT_SIGNED_UP, actor=user, request=request, obj=user,
        detail={"organisation_id": organisation.pk, "new_organisation": new_organisation},
    )
    _email_later(user.pk, "verify")
    return user


@transaction.atomic
def verification_resend(*, email: str, request=None) -> None:
    """Send a fresh link if the address belongs to an unconfirmed account; silent otherwise."""
    user = User.objects.filter(email__iexact=email.strip(), email_verified=False,
                               is_active=True).first()
    if user is None:
        return
    audit_record(action=AuditAction.ACCOUNT_VERIFICATION_RESENT, request=request, obj=user)
    _email_later(user.pk, "verify")


@transaction.atomic
def password_reset_request(*, email: str, request=None) -> None:
    """Email a reset link if the address belongs to an active account; the same work and the
    same answer otherwise. The link is made and sent by the worker (ids only), so the request
    never waits for the mail server (issue 14, attack 3)."""
    users = User.objects.filter(email__iexact=email.strip(), is_active=True)
    user = next((found for found in users if found.has_usable_password()), None)
    audit_record(action=AuditAction.ACCOUNT_PASSWORD_RESET_REQUESTED, request=request, obj=user,
                 detail={"known_account": user is not None})
    if user is not None:
        _email_later(user.pk, "password-reset")


@transaction.atomic
def email_verify(*, token: str, now: datetime, request=None) -> User:
    """Confirm an address from a link. Joins a verified organisation's domain at once;
    anyone else waits for a council administrator. Safe to follow twice."""
    try:
        claim = verification_token_read(token=token, now=now)
    except TokenExpired as error:
        raise VerificationFailed(expired=True) from error
    except TokenInvalid as error:
        raise VerificationFailed(expired=False) from error
    user = User.objects.select_for_update().filter(pk=claim.user_id, is_active=True).first()
    if user is None or not fingerprint_matches(claim, user.email):
        raise VerificationFailed(expired=False)
    if user.email_verified:
        return user
    user.email_verified = True
    user.save(update_fields=["email_verified"])
    audit_record(action=AuditAction.ACCOUNT_EMAIL_VERIFIED, actor=user, request=request, obj=user)

    membership = (
        Membership.objects.select_for_update().select_related("organisation")
        .filter(user=user, status=MembershipStatus.PENDING).first()
    )
    if membership is not None and membership.organisation.accepts_domain(user.email):
        # A verified organisation's own domain is proof enough of who they work for.
        membership.status = MembershipStatus.APPROVED
        membership.decided_at = now
        membership.save(update_fields=["status", "decided_at"])
        audit_record(action=AuditAction.MEMBERSHIP_APPROVED_BY_DOMAIN, actor=user, request=request,
                     obj=membership, detail={"organisation_id": membership.organisation_id})
        _email_later(user.pk, "approved")
    elif membership is not None:
        transaction.on_commit(tasks.approvals_waiting_notify.delay)
    return user


def _check_can_decide(*, actor: User, membership: Membership) -> None:
    if not (actor.is_active and actor.is_council_admin):
        raise PermissionDenied("Only a council administrator can approve or refuse requests.")
    if membership.status != MembershipStatus.PENDING:
        raise ApprovalError(
            f"This request has already been {membership.get_status_display().lower()}."
        )
    if not membership.user.email_verified:
        raise ApprovalError("This person has not confirmed their email address yet.")


def _locked(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update().select_related("user", "organisation")
        .get(pk=membership.pk)
    )


@transaction.atomic
def membership_approve(
    *, membership: Membership, actor: User, role: str = MembershipRole.REFERRER,
    now: datetime, request=None,
) -> Membership:
    """Let a person make referrals for their organisation (or lead it) and tell them."""
    membership = _locked(membership)
    _check_can_decide(actor=actor, membership=membership)
    membership.status = MembershipStatus.APPROVED
    membership.role = MembershipRole(role)
    membership.decided_at = now
    membership.decided_by = actor
    membership.refusal_reason = ""
    membership.save(update_fields=["status", "role", "decided_at", "decided_by", "refusal_reason"])
    audit_record(action=AuditAction.MEMBERSHIP_APPROVED, actor=actor, request=request, obj=membership,
                 detail={"role": membership.role, "organisation_id": membership.organisation_id})
    _email_later(membership.user_id, "approved")
    return membership


@transaction.atomic
def membership_refuse(
    *, membership: Membership, actor: User, reason: str, now: datetime, request=None
) -> Membership:
    """Refuse a request with a reason the person is told, so they know what to do next."""
    if not reason.strip():
        raise ApprovalError("Give the reason for refusing: the person is told it.")
    membership = _locked(membership)
    _check_can_decide(actor=actor, membership=membership)
    membership.status = MembershipStatus.REFUSED
    membership.decided_at = now
    membership.decided_by = actor
    membership.refusal_reason = reason.strip()
    membership.save(update_fields=["status", "decided_at", "decided_by", "refusal_reason"])
    # The reason stays on the membership, not in the audit detail: it may name the person.
    audit_record(action=AuditAction.MEMBERSHIP_REFUSED, actor=actor, request=request, obj=membership,
                 detail={"organisation_id": membership.organisation_id})
    _email_later(membership.user_id, "refused")
    return membership


@transaction.atomic
def password_reset_record(*, user: User, request=None) -> None:
    """Audit a completed password reset (Django's views do the reset itself)."""
    audit_record(action=AuditAction.ACCOUNT_PASSWORD_RESET, actor=user, request=request, obj=user)
