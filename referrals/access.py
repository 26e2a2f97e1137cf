"""The one access policy: who may see a referral, who may act on it, and in what role.

Every view, selector, service, template tag and export asks this module; no other module
decides access to a referral. The rules, plainly:

- **Nobody signed out** sees anything.
- **The referrer** sees their own referrals, drafts included (nobody else ever sees a draft).
  On a submitted one they act as workflow.REFERRER (withdraw, answer a question, add
  information, chase).
- **An organisation's safeguarding lead** (approved membership with the lead role) sees every
  submitted referral their organisation made, and may follow it as the referrer does (status
  page, add information, chase). They take no staff action and have no workflow role. They
  may hand a referral's follow-up to a colleague (`may_pass_follow_up`).
- **Following** (`may_follow`) needs an approved membership of the organisation that made the
  referral, now: a refused or removed member, or one who moved organisation, follows nothing
  (not even their own referrals). The colleague the follow-up was handed to (`follower`)
  follows it as the referrer does; the referrer keeps following it while still a member (they
  may come back; the lead can hand it back), but its notices go to the colleague
  (accounts.recipients.follow_up_person).
- **A team member** (triage worker) sees a referral when a group they act through (their teams'
  groups, or a group they were put in directly) holds django-guardian's `view_referral` on it.
  Submission grants the receiving team's group `view_referral` and `triage_referral`; a
  re-route moves both to the new team; a merge gives the surviving referral's team
  `view_referral` on the merged one. They act (workflow.TRIAGE) only when they are a member
  of the referral's team *and* the group holds `triage_referral`.
- **A team manager** is a team member whose membership has the manager role: they act as
  workflow.MANAGER (assign, sign off an enquiry) on their team's referrals.
- **An administrator** (council administrator) reads no referral by their role alone: they
  run subject access exports, the audit pages and the failed-notice list.
- **A system** (a case-management client of the API, issue 17) is not a person: it reads the
  submitted referrals of the pathways an administrator granted it, nothing else, and never a
  draft (`referrals_for_system`, `referral_load_for_system`). What it holds (scopes, suspension)
  is checked by the api app before it asks here.
- **A hand-over bundle** (the zip for a case-management system without an API) is downloaded
  by a manager of the referral's team or an administrator (`may_export`).
- **Link and merge** name a second referral: the actor must act on both (so on both teams).
- **Every id a request names** (path, query string, form field, link/merge target) is loaded
  through `referral_from_request` / `referral_by_reference`: out of scope reads the same as
  "no such referral" (a 404 for the user) and leaves a refused-access audit row.

Staff grants are read through the direct foreign-key permission table (one indexed join on
(group, permission, object), no generic object_pk strings).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save

from accounts.models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    Team,
    TeamMembership,
    TeamRole,
    User,
)
from audit.services import audit_record
from core.vocabulary import Pathway, Status

from . import workflow
from .models import Referral, ReferralGroupObjectPermission

VIEW = "view_referral"
TRIAGE = "triage_referral"


class OutOfScope(PermissionDenied):
    """The person may not see or act on this referral (services raise it whatever the view
    checked)."""


class Need(StrEnum):
    """What a request wants to do with the referral it names."""

    SEE = "see"  # anyone in scope: referrer, their organisation's lead, the team
    OWN = "own"  # the referrer themself (drafts, check answers, confirmation)
    DRAFT = "draft"  # the referrer's own unsent draft
    FOLLOW = "follow"  # the referrer or their organisation's lead, once submitted
    STAFF_VIEW = "staff_view"  # staff whose teams hold view_referral
    STAFF_ACT = "staff_act"  # staff whose teams hold triage_referral
    ACT = "act"  # staff of the referral's own team with triage_referral (may_act)
    EXPORT = "export"  # the team's manager or an administrator: a hand-over bundle (may_export)


# --- who the person is, read once per page -----------------------------------------------------
# A staff page asks who the person is several times (the page's own load, its role, the
# duplicates it lists, the hand-over link): inside `remembered()` (triage's staff_required
# opens it for the view) their groups and team memberships are read once (issue 19). Any save
# or delete of a team membership or a team, or a change to anyone's groups, forgets everything
# remembered, so a page that changes them reads them again. Grants are never remembered.
_remembered: ContextVar[dict | None] = ContextVar("access_remembered", default=None)


@contextmanager
def remembered():
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def _remember(key: tuple, compute: Callable):
    memo = _remembered.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _forget_remembered(**kwargs) -> None:
    memo = _remembered.get()
    if memo is not None:
        memo.clear()


for _model in (TeamMembership, Team):
    post_save.connect(_forget_remembered, sender=_model,
                      dispatch_uid=f"access-remembered-{_model._meta.label}")
    post_delete.connect(_forget_remembered, sender=_model,
                        dispatch_uid=f"access-remembered-del-{_model._meta.label}")
m2m_changed.connect(_forget_remembered, sender=get_user_model().groups.through,
                    dispatch_uid="access-remembered-groups")


# --- who the person is -----------------------------------------------------------------------

def groups_of(user) -> list[int]:
    """Ids of the groups the person acts through: their teams' groups and any direct group.
    Read once per request (a short list), so the referral filter can use the permission
    table's (group, permission, object) index instead of joining per row."""
    return list(_remember(("groups", user.pk), lambda: list(
        Group.objects.filter(Q(team__memberships__user=user) | Q(user=user))
        .values_list("pk", flat=True).distinct()
    )))


def lead_organisation(user):
    """The organisation whose safeguarding lead this person is, or None."""
    if not user.is_authenticated:
        return None
    membership = getattr(user, "membership", None)
    if (membership is None or membership.role != MembershipRole.SAFEGUARDING_LEAD
            or membership.status != MembershipStatus.APPROVED):
        return None
    return membership.organisation


def _lead_organisation_id(user) -> int | None:
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    if (membership is None or membership.role != MembershipRole.SAFEGUARDING_LEAD
            or membership.status != MembershipStatus.APPROVED):
        return None
    return membership.organisation_id


def team_memberships_of(user) -> list[TeamMembership]:
    """The person's team memberships with their teams, a manager's first (`role` sorts
    "manager" before "triage"): one short read, remembered inside `remembered()`, that the
    queue's team, the role on a referral and the navigation's role (accounts.roles.role_of)
    all answer from."""
    if not user.is_authenticated:
        return []
    return _remember(("team_memberships", user.pk), lambda: list(
        TeamMembership.objects.filter(user=user).select_related("team").order_by("role", "pk")))


def team_of(user):
    """The staff member's team for the queue (a manager's team first), or None."""
    memberships = team_memberships_of(user)
    return memberships[0].team if memberships else None


def is_manager(user, team) -> bool:
    # From the memberships the page has already read (team_memberships_of), not a query of
    # its own inside a staff page.
    return (user.is_authenticated and team is not None and any(
        m.team_id == team.pk and m.role == TeamRole.MANAGER for m in team_memberships_of(user)))


def is_administrator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_council_admin)


# --- scoped querysets ------------------------------------------------------------------------

def _permission(perm: str):
    return Permission.objects.filter(
        content_type__app_label="referrals", codename=perm).values("pk")[:1]


def _granted(user, perm: str) -> Exists:
    """Whether the person's groups hold `perm` on the outer referral (an EXISTS)."""
    return Exists(ReferralGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"),
        permission_id=Subquery(_permission(perm)),
        group_id__in=groups_of(user),
    ))


def referrals_for_staff(user, perm: str = VIEW) -> QuerySet[Referral]:
    """Referrals this staff member's teams hold `perm` on (an unevaluated queryset)."""
    if not user.is_authenticated:
        return Referral.objects.none()
    return Referral.objects.filter(_granted(user, perm))


def staff_reach(user, ids) -> tuple[set[int], set[int]]:
    """Of these referral ids, (those the person's teams may see, those they may act on), in
    one query: for pages that list other referrals (the duplicates on the staff page). Acting
    here is the grant only; the services also check team membership (role_on)."""
    if not user.is_authenticated or not ids:
        return set(), set()
    seen, acted = set(), set()
    for pk, _see, act in _grants_on(user, ids).filter(may_see=True):
        seen.add(pk)
        if act:
            acted.add(pk)
    return seen, acted


def _grants_on(user, ids):
    """(pk, may_see, may_act) rows for these referral ids: the person's groups' grants."""
    return (Referral.objects.filter(pk__in=ids).annotate(may_see=_granted(user, VIEW),
                                                          may_act=_granted(user, TRIAGE))
            .values_list("pk", "may_see", "may_act"))


# Set on a referral by referral_load(..., triage_grant=True): whether the person's groups held
# the triage permission on it when it was loaded, read in the same statement.
TRIAGE_GRANT_READ = "access_triage_granted"


def staff_page_reach(user, referral: Referral, ids) -> tuple[str | None, set[int], set[int]]:
    """The staff referral page's questions in one query at most (issue 19): the person's role
    on `referral` (role_on), and of the other referrals `ids` (its possible duplicates) those
    they may see and those they may act on (staff_reach). A duplicate they may act on is
    offered for link or merge only when they have a role on this one too. A referral loaded
    with `triage_grant=True` in this request carries its grant, and then a page without
    duplicates asks nothing more."""
    if not user.is_authenticated:
        return None, set(), set()
    ids = [pk for pk in ids if pk != referral.pk]
    granted = getattr(referral, TRIAGE_GRANT_READ, None)
    if referral.referrer_id == user.pk or granted is not None:
        role = role_on(user, referral, granted=granted)
        seen, acted = staff_reach(user, ids)
        return role, seen, acted if role else set()
    granted, seen, acted = False, set(), set()
    for pk, see, act in (_grants_on(user, [referral.pk, *ids])
                         .filter(Q(may_see=True) | Q(pk=referral.pk))):
        if pk == referral.pk:
            granted = bool(act)
        elif see:
            seen.add(pk)
            if act:
                acted.add(pk)
    role = role_on(user, referral, granted=granted)
    return role, seen, acted if role else set()


def drafts_of(user) -> QuerySet[Referral]:
    """The person's own unsent drafts, most recently touched first."""
    if not user.is_authenticated:
        return Referral.objects.none()
    return Referral.objects.filter(referrer=user, status=Status.DRAFT).order_by("-updated_at")


def referrals_of_referrer(user) -> QuerySet[Referral]:
    """The referrals the person sent (not drafts), and those whose follow-up was handed to
    them, while they are an approved member of the organisation that made them; newest first."""
    organisation_id = member_organisation_id(user)
    if organisation_id is None:
        return Referral.objects.none()
    return (Referral.objects.filter(Q(referrer=user) | Q(follower=user),
                                    organisation_id=organisation_id)
            .exclude(status=Status.DRAFT).order_by("-received_at", "-pk"))


def referrals_of_organisation(user) -> QuerySet[Referral]:
    """Every submitted referral the lead's organisation made; nothing for anyone else."""
    organisation_id = _lead_organisation_id(user)
    if organisation_id is None:
        return Referral.objects.none()
    return (Referral.objects.filter(organisation_id=organisation_id)
            .exclude(status=Status.DRAFT).order_by("-received_at", "-pk"))


# --- one referral ----------------------------------------------------------------------------

def has_grant(user, referral: Referral, perm: str = VIEW) -> bool:
    return referrals_for_staff(user, perm).filter(pk=referral.pk).exists()


def is_referrer(user, referral: Referral) -> bool:
    return bool(user.is_authenticated and referral.referrer_id == user.pk)


def may_edit_draft(user, referral: Referral) -> bool:
    """Only the referrer changes their draft, and only while it is one."""
    return is_referrer(user, referral) and referral.status == Status.DRAFT


def member_organisation_id(user) -> int | None:
    """The organisation this active person is an approved member of (any role), or None: a
    refused, pending or removed member belongs to none."""
    if not user.is_authenticated or not user.is_active:
        return None
    membership = getattr(user, "membership", None)
    if membership is None or membership.status != MembershipStatus.APPROVED:
        return None
    return membership.organisation_id


def may_follow(user, referral: Referral) -> bool:
    """The referrer, the colleague the organisation's lead handed the follow-up to, or the
    organisation's lead, on a submitted referral, each only while an approved member of the
    organisation that made it: a refused or removed member follows nothing."""
    if not user.is_authenticated or referral.status == Status.DRAFT:
        return False
    organisation_id = member_organisation_id(user)
    if organisation_id is None or referral.organisation_id != organisation_id:
        return False
    if referral.referrer_id == user.pk or referral.follower_id == user.pk:
        return True
    return _lead_organisation_id(user) == organisation_id


def may_pass_follow_up(user, referral: Referral) -> bool:
    """The organisation's lead may hand a submitted referral's follow-up to a colleague."""
    organisation_id = _lead_organisation_id(user)
    return (organisation_id is not None and referral.status != Status.DRAFT
            and referral.organisation_id == organisation_id and may_follow(user, referral))


def follow_up_colleagues(organisation_id: int | None):
    """Who the follow-up may be handed to: active, approved members of the organisation."""
    if organisation_id is None:
        return User.objects.none()
    return User.objects.filter(is_active=True, pk__in=Membership.objects.filter(
        organisation_id=organisation_id, status=MembershipStatus.APPROVED).values("user_id"))


def may_see(user, referral: Referral) -> bool:
    """Anyone in scope: the referrer (drafts too), their organisation's lead, or staff whose
    teams hold view_referral."""
    if not user.is_authenticated:
        return False
    if referral.status == Status.DRAFT:
        return referral.referrer_id == user.pk
    return may_follow(user, referral) or has_grant(user, referral, VIEW)


def role_on(user, referral: Referral, *, granted: bool | None = None) -> str | None:
    """The role the person acts in on this referral (workflow.REFERRER/TRIAGE/MANAGER), or None.

    Staff need both a membership of the referral's team and the team's triage permission on
    the object; a referrer acts only on their own referral. `granted`: whether the person's
    groups hold the triage permission on it, when the caller read that in this request
    already (staff_page_reach); None reads it here.
    """
    if not user.is_authenticated:
        return None
    if referral.referrer_id == user.pk:
        return workflow.REFERRER
    membership = next((m for m in team_memberships_of(user)
                       if referral.team_id is not None and m.team_id == referral.team_id), None)
    if membership is None:
        return None
    if not (has_grant(user, referral, TRIAGE) if granted is None else granted):
        return None
    return workflow.MANAGER if membership.role == TeamRole.MANAGER else workflow.TRIAGE


def may_act(user, referral: Referral) -> bool:
    """Staff of the referral's team with its triage permission (claim, notes, clocks, phone
    feedback, the workflow's staff actions)."""
    return role_on(user, referral) in workflow.STAFF


def may_link(user, referral: Referral, other: Referral) -> bool:
    """Link or merge two referrals: the actor must act on both, so on both teams."""
    return may_act(user, referral) and may_act(user, other)


def require_follow(user, referral: Referral) -> None:
    if not may_follow(user, referral):
        raise OutOfScope("You cannot update this referral.")


# --- systems (the API's clients) ---------------------------------------------------------------

def referrals_for_system(pathways) -> QuerySet[Referral]:
    """Submitted referrals on the pathways a system was granted (an unevaluated queryset).
    A re-routed referral follows its current pathway, as staff access does."""
    granted = [p for p in (pathways or ()) if p in Pathway.values]
    if not granted:
        return Referral.objects.none()
    return Referral.objects.exclude(status=Status.DRAFT).filter(pathway__in=granted)


def referral_load_for_system(pathways, pk, *, related=()) -> Referral | None:
    """The referral with this id if the system may read it, else None (out of its pathways and
    non-existent look the same)."""
    pk = _as_id(pk)
    if pk is None:
        return None
    return referrals_for_system(pathways).select_related(*related).filter(pk=pk).first()


_UNKNOWN = object()


def may_export(user, referral: Referral, *, role=_UNKNOWN) -> bool:
    """A hand-over bundle: the referral's team manager, or a council administrator. `role`:
    role_on's answer when the caller has it already."""
    if not user.is_authenticated or referral.status == Status.DRAFT:
        return False
    if is_administrator(user):
        return True
    return (role_on(user, referral) if role is _UNKNOWN else role) == workflow.MANAGER


# --- loading the referral a request names ----------------------------------------------------

def _scoped(user, need: Need) -> QuerySet[Referral]:
    """The queryset holding every referral this person may reach for `need`."""
    if not user.is_authenticated:
        return Referral.objects.none()
    if need == Need.STAFF_VIEW:
        return referrals_for_staff(user, VIEW).exclude(status=Status.DRAFT)
    if need == Need.STAFF_ACT:
        return referrals_for_staff(user, TRIAGE).exclude(status=Status.DRAFT)
    if need == Need.DRAFT:
        return drafts_of(user)
    if need == Need.OWN:
        return _own(Referral.objects.all(), user)
    return Referral.objects.all()  # SEE, FOLLOW, ACT, EXPORT are decided on the row (below)


def _as_id(value) -> int | None:
    """A referral id from a path, query string or form: ASCII digits within bigint range only
    (str.isdigit() and int() also take other scripts' digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    else:
        return None
    return number if 0 < number <= 2**63 - 1 else None


referral_id_parse = _as_id  # for audit rows that name a refused id (the api app)


def referral_load(user, pk, need: Need = Need.SEE, *, related=(),
                  triage_grant: bool = False) -> Referral | None:
    """The referral with this id if the person may reach it for `need`, else None (for the
    user, out of scope and non-existent look the same). `triage_grant`: also read, in the same
    statement, whether the person's groups hold the triage permission on it, for
    staff_page_reach (a page that changes no grant before it asks)."""
    pk = _as_id(pk)
    if pk is None:
        return None
    scoped = _scoped(user, need).select_related(*related)
    if triage_grant and user.is_authenticated:
        scoped = scoped.annotate(**{TRIAGE_GRANT_READ: _granted(user, TRIAGE)})
    referral = scoped.filter(pk=pk).first()
    if referral is None:
        return None
    if need == Need.FOLLOW and not may_follow(user, referral):
        return None
    if need == Need.SEE and not may_see(user, referral):
        return None
    if need == Need.ACT and not may_act(user, referral):
        return None
    if need == Need.EXPORT and not may_export(user, referral):
        return None
    return referral


def _own(referrals: QuerySet[Referral], user) -> QuerySet[Referral]:
    """Need.OWN's scope: the referrals this person made."""
    return referrals.filter(referrer=user)


def referral_own_locked(user, pk, *, locking: QuerySet[Referral] | None = None) -> Referral | None:
    """Need.OWN's referral (the person's own), locked FOR UPDATE in the caller's transaction,
    else None (issue 19: submission reads its row once). `locking`: the caller's
    `select_for_update` queryset of referrals with what it needs annotated, prepared once so
    that its subqueries are not resolved again on every request; the scope and the id are
    added here. The caller must be in a transaction (the check page's request is)."""
    pk = _as_id(pk)
    if pk is None or not user.is_authenticated:
        return None
    if locking is None:
        locking = Referral.objects.select_for_update(of=("self",))
    if locking.model is not Referral or not locking.query.select_for_update:
        raise ValueError("referral_own_locked needs a select_for_update queryset of Referral.")
    return _own(locking, user).filter(pk=pk).first()


def referral_from_request(request, value, *, need: Need = Need.SEE, action: str,
                          related=(), triage_grant: bool = False) -> Referral | None:
    """Load the referral an id in the request names (path, query string or form field), or
    None after auditing the refused look under `action` (the view answers 404). Returning
    rather than raising lets the audit row commit with the request."""
    referral = referral_load(request.user, value, need, related=related,
                             triage_grant=triage_grant)
    if referral is None:
        pk = _as_id(value)
        audit_record(action=action, request=request, allowed=False, referral_id=pk,
                     detail={"referral": pk})
    return referral


def referral_by_reference(user, reference: str, need: Need = Need.STAFF_ACT) -> Referral | None:
    """A submitted referral by its reference, if the person may reach it for `need` (the
    link and merge forms name their target this way)."""
    reference = (reference or "").strip()
    if not reference:
        return None
    return (_scoped(user, need).exclude(status=Status.DRAFT)
            .filter(reference__iexact=reference).first())


# --- requests for advice (consultations, issue 15) -------------------------------------------
# Not referrals, but the same people and the same rules, so the same policy: the person who
# asked and their organisation's lead follow it; members of the team it was sent to act on it.
# Duck-typed (requester_id, organisation_id, team_id) so this layer imports nothing above it.

def may_follow_consultation(user, consultation) -> bool:
    if not user.is_authenticated:
        return False
    if consultation.requester_id == user.pk:
        return True
    organisation_id = _lead_organisation_id(user)
    return organisation_id is not None and consultation.organisation_id == organisation_id


def may_act_consultation(user, consultation) -> bool:
    return bool(user.is_authenticated and TeamMembership.objects.filter(
        user=user, team_id=consultation.team_id).exists())


def consultations_of_teams(user):
    """The ids of the teams whose requests for advice this person works on."""
    return [m.team_id for m in team_memberships_of(user)]
