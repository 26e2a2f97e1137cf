"""The family's other children and the adults in the household (issue 16, part 3): added,
changed and removed one person at a time while the referral is a draft."""

from django.db import transaction

from audit.services import audit_record
from core.vocabulary import AuditAction

from ..models import HouseholdMember, Referral
from .drafts import _check_may_edit

FIELDS = ("name", "relationship", "child_or_adult", "age", "date_of_birth", "lives_there",
          "concern")


def _values(values: dict) -> dict:
    return {name: values.get(name) if name in ("age", "date_of_birth") else
            (values.get(name) or "") for name in FIELDS}


@transaction.atomic
def household_member_add(*, referral: Referral, actor, values: dict,
                         request=None) -> HouseholdMember:
    _check_may_edit(referral, actor)
    member = HouseholdMember.objects.create(referral=referral, **_values(values))
    audit_record(action=AuditAction.REFERRAL_HOUSEHOLD_MEMBER_ADDED, actor=actor,
                 request=request, referral=referral, obj=member)
    return member


@transaction.atomic
def household_member_change(*, referral: Referral, actor, member_id: int, values: dict,
                            request=None) -> HouseholdMember | None:
    """None if the person is not on this referral (removed meanwhile, or another's id)."""
    _check_may_edit(referral, actor)
    member = (HouseholdMember.objects.select_for_update()
              .filter(referral=referral, pk=member_id).first())
    if member is None:
        return None
    for name, value in _values(values).items():
        setattr(member, name, value)
    member.save()
    audit_record(action=AuditAction.REFERRAL_HOUSEHOLD_MEMBER_CHANGED, actor=actor,
                 request=request, referral=referral, obj=member)
    return member


@transaction.atomic
def household_member_remove(*, referral: Referral, actor, member_id: int, request=None) -> int:
    _check_may_edit(referral, actor)
    deleted, _ = HouseholdMember.objects.filter(referral=referral, pk=member_id).delete()
    if deleted:
        audit_record(action=AuditAction.REFERRAL_HOUSEHOLD_MEMBER_REMOVED, actor=actor,
                     request=request, referral=referral,
                     detail={"household_member_id": member_id})
    return deleted
