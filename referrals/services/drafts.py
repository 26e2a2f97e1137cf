"""Starting and saving a draft referral, one page at a time."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.roles import role_of
from audit.services import audit_record
from core.vocabulary import AuditAction, Role

from .. import access
from ..answers import values_store
from ..models import AllegedPerson, Referral
from ..workflow import FeedbackPreference, Status

MAY_REFER = (Role.REFERRER, Role.ORGANISATION_LEAD)


def draft_expiry(now: datetime) -> datetime:
    return now + timedelta(days=settings.REFERRAL_DRAFT_EXPIRY_DAYS)


NOT_A_MEMBER_NOW = ("You can no longer make referrals for this organisation: your membership "
                    "is not approved.")


def may_continue_draft(referral: Referral, actor) -> bool:
    """Whether the person's membership of the draft's organisation is approved now: a
    membership refused or removed after the draft was started stops it (issue 14, attack 5)."""
    info = role_of(actor)
    return (info.role in MAY_REFER and info.organisation is not None
            and info.organisation.pk == referral.organisation_id)


def check_may_continue_draft(referral: Referral, actor) -> None:
    if not may_continue_draft(referral, actor):
        raise PermissionDenied(NOT_A_MEMBER_NOW)


def _check_may_edit(referral: Referral, actor) -> None:
    if not access.may_edit_draft(actor, referral):
        raise PermissionDenied("Only the referrer can change their own draft.")
    check_may_continue_draft(referral, actor)


@transaction.atomic
def draft_start(*, actor, urgency: dict, now: datetime, request=None) -> Referral:
    """Open a draft with the urgency answers, prefilled with the referrer's own details."""
    info = role_of(actor)
    if info.role not in MAY_REFER:
        raise PermissionDenied("Only approved members of an organisation can make referrals.")
    organisation = info.organisation
    referral = Referral(
        referrer=actor, organisation=organisation, status=Status.DRAFT, created_at=now,
        draft_expires_at=draft_expiry(now),
        feedback_preference=FeedbackPreference.PORTAL_EMAIL,
        referrer_phone=actor.phone or (organisation.phone if organisation else ""),
        answers={
            "referrer_name": actor.full_name,
            "referrer_job_title": actor.job_title,
            "referrer_email": actor.email,
            "referrer_organisation": organisation.name if organisation else "",
        },
        steps_done=["urgency"],
    )
    values_store(referral, urgency)
    referral.save()
    audit_record(action=AuditAction.REFERRAL_DRAFT_STARTED, actor=actor, request=request, referral=referral)
    return referral


@transaction.atomic
def draft_save_step(
    *, referral: Referral, actor, step_key: str, values: dict, now: datetime, request=None
) -> Referral:
    """Store one page's answers and push the draft's expiry back (it is being worked on)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _check_may_edit(referral, actor)
    values_store(referral, values)
    if step_key not in referral.steps_done:
        referral.steps_done = [*referral.steps_done, step_key]
    referral.draft_expires_at = draft_expiry(now)
    referral.draft_reminded_at = None
    referral.save()
    audit_record(action=AuditAction.REFERRAL_DRAFT_SAVED, actor=actor, request=request, referral=referral,
                 detail={"step": step_key})
    return referral


@transaction.atomic
def alleged_person_add(*, referral: Referral, actor, values: dict, request=None) -> AllegedPerson:
    _check_may_edit(referral, actor)
    person = AllegedPerson.objects.create(referral=referral, **values)
    audit_record(action=AuditAction.REFERRAL_ALLEGED_PERSON_ADDED, actor=actor, request=request,
                 referral=referral, obj=person)
    return person


@transaction.atomic
def alleged_person_remove(*, referral: Referral, actor, person_id: int, request=None) -> int:
    _check_may_edit(referral, actor)
    deleted, _ = AllegedPerson.objects.filter(referral=referral, pk=person_id).delete()
    if deleted:
        audit_record(action=AuditAction.REFERRAL_ALLEGED_PERSON_REMOVED, actor=actor, request=request,
                     referral=referral, detail={"alleged_person_id": person_id})
    return deleted
