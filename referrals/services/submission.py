"""Submitting a draft: one referral however many times the button is pressed.

Check (the referrer's own draft, every page that applies completed), then do (reference,
team, permissions, clock, timeline, acknowledgement) and log, all in one transaction on a
locked row. A second request (double click, refresh, another tab) finds the row already
submitted and returns it unchanged.

Every statement here is paid on each submission (docs/performance.md, section 6), so: the
permission ids are read once per process, the referrer is the actor already in hand, and the
writes run in the caller's transaction without savepoints of their own.
"""

import uuid
from datetime import datetime

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.db.models.signals import post_migrate
from django.utils import timezone

from accounts.models import Membership, MembershipStatus, Team, TeamMembership
from core.vocabulary import EventKind, Pathway, Status
from outbox.models import Channel
from outbox.wording import NoticeKind, when_text
from outbox.write import notice_queue, referrer_notify
from pathways.contacts import edt_contact
from pathways.deadlines import deadline_open_first
from pathways.policies import working_calendar

from .. import access, steps
from ..duties import duties_open
from ..models import (
    AllegedPerson,
    HouseholdMember,
    Referral,
    ReferralGroupObjectPermission,
    ReferralUserObjectPermission,
)
from ..record import record
from ..references import reference_new
from .drafts import NOT_A_MEMBER_NOW
from .household import FIELDS as HOUSEHOLD_FIELDS

# Answers an adult concern shares with its linked MASH referral (not typed twice).
SHARED_ANSWERS = (
    "what_happened", "concern_since", "where", "where_details", "injuries", "injuries_details",
    "referrer_name", "referrer_job_title", "referrer_email", "referrer_organisation",
    "safe_to_contact", "contact_how", "interpreter", "interpreter_language",
)
# How an adult category reads for the children in the household (Working Together 2023:
# seeing or hearing domestic abuse is harm to a child, recorded as emotional abuse).
CHILD_CATEGORY_FOR_ADULT = {
    "physical": "physical", "sexual": "sexual", "psychological": "emotional",
    "domestic": "emotional", "neglect": "neglect",
}
EDT_NOTICE = "urgent_referral_edt"  # the notice kind the confirmation page looks for
DECISION_CLOCK = {Pathway.MASH: "mash_decision"}  # adults: "concern_decision"


class SubmissionProblem(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def submission_problems(referral: Referral) -> list[tuple[str, str]]:
    """(step key, message) for each page that applies and is not complete."""
    problems = [
        (step.key, f"Complete the page '{step.section}'")
        for step in steps.steps_for(referral)
        if step.kind == "form" and step.key not in referral.steps_done
    ]
    if not referral.pathway:
        problems.append(("pathway", "Choose the team to send the referral to"))
    return problems


# The referral permissions that submission grants, by codename -> id. Read once per process:
# they are made by migrate and never change afterwards (forgotten after a migrate or flush).
GRANTED = ("view_referral", "triage_referral")
_permission_ids: dict[str, int] = {}


def _granted_permission_ids() -> dict[str, int]:
    if not _permission_ids:
        _permission_ids.update(Permission.objects.filter(
            content_type__app_label="referrals", codename__in=GRANTED,
        ).values_list("codename", "id"))
    return _permission_ids


def _forget_permission_ids(**kwargs) -> None:
    _permission_ids.clear()


post_migrate.connect(_forget_permission_ids, dispatch_uid="referrals_submission_permission_ids")


def referral_submit(
    *, referral: Referral, actor, submission_key: uuid.UUID, now: datetime | None = None,
    request=None,
) -> Referral:
    """Submit the draft (and its linked MASH referral, if asked for). Idempotent.

    All or nothing, in the caller's transaction when there is one (the check page runs under
    ATOMIC_REQUESTS), so without a savepoint: a database error leaves that transaction to roll
    back whole. A refusal (PermissionDenied, SubmissionProblem) is raised after the block, having
    written nothing, so the caller's transaction stays usable.
    """
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):
        locked = referral if _locked_here(referral) else _locking().get(pk=referral.pk)
        refusal = _refusal(locked, actor=actor)
        if refusal is None and locked.status == Status.DRAFT:
            locked.referrer = actor  # checked above: the same person, already loaded
            perms = _granted_permission_ids()
            team = _team_from(locked.pathway_team, db=locked._state.db)
            _submit_one(locked, team=team, actor=actor, key=submission_key, now=now, perms=perms,
                        request=request)
            if Pathway.is_adult(locked.pathway) and locked.answers.get("linked_mash") == "yes":
                child = _linked_mash_copy(locked, now=now)
                _submit_one(child, team=Team.objects.get(pathway=child.pathway), actor=actor,
                            key=uuid.uuid5(submission_key, "mash"), now=now, perms=perms,
                            request=request)
    if refusal is not None:
        raise refusal
    return locked


def referral_lock_for_submit(actor, pk) -> Referral | None:
    """The person's own referral (access.Need.OWN) locked for `referral_submit`, with what it
    needs (the pathway's team, whether the referrer may still refer) in the same statement:
    the check page's POST reads its row once, not three times (issue 19). None when it is not
    theirs. Passed to `referral_submit` in the same transaction, it is not locked again."""
    referral = access.referral_own_locked(actor, pk, locking=_locking())
    if referral is not None:
        connection = connections[referral._state.db]
        referral._locked_in = connection.atomic_blocks[0] if connection.atomic_blocks else None
    return referral


def may_still_refer(locked: Referral, actor) -> bool:
    """drafts.may_continue_draft's answer for a row read by `referral_lock_for_submit`: the
    referrer is the actor, and accounts.roles.role_of would make them a referrer or lead of the
    draft's organisation (not a council administrator, on no team, membership approved)."""
    return bool(locked.referrer_approved) and not actor.is_council_admin


def _locked_here(referral: Referral) -> bool:
    """Whether `referral_lock_for_submit` locked this row in the transaction still open."""
    marker = getattr(referral, "_locked_in", None)
    if marker is None:
        return False
    blocks = connections[referral._state.db].atomic_blocks
    return bool(blocks) and blocks[0] is marker


_locking_queryset: list[QuerySet] = []


def _locking() -> QuerySet:
    """Referrals locked FOR UPDATE with their pathway's team and whether the referrer may still
    refer. Built once per process: resolving the two subqueries cost more Python time than
    any statement of the submission took in PostgreSQL (issue 19's profile). Every use
    chains a filter, so the prepared queryset itself is never evaluated; it holds no data."""
    if not _locking_queryset:
        _locking_queryset.append(
            Referral.objects.select_for_update(of=("self",)).annotate(
                pathway_team=_team_of_pathway(), referrer_approved=_referrer_approved()))
    return _locking_queryset[0]


# What submission needs of the pathway's team, read in the same statement as the lock.
TEAM_FIELDS = [field.attname for field in Team._meta.concrete_fields
               if field.attname in {"id", "name", "pathway", "group_id"}]


def _team_of_pathway() -> Subquery:
    return Subquery(Team.objects.filter(pathway=OuterRef("pathway")).values(
        data=JSONObject(**{name: name for name in TEAM_FIELDS}))[:1])


def _referrer_approved() -> Exists:
    """Whether the referrer's membership of the draft's organisation is approved now and they
    are on no team (accounts.roles.role_of counts a team membership first), read in the same
    statement as the lock (issue 14, attack 5; drafts.may_continue_draft for the pages)."""
    return Exists(Membership.objects.filter(
        user_id=OuterRef("referrer_id"), organisation_id=OuterRef("organisation_id"),
        status=MembershipStatus.APPROVED,
    ).exclude(Exists(TeamMembership.objects.filter(user_id=OuterRef("user_id")))))


def _team_from(data: dict | None, *, db: str) -> Team:
    """The team as a model instance; its other fields are deferred (read if ever touched)."""
    if data is None:
        raise Team.DoesNotExist("No team for this referral's pathway.")
    return Team.from_db(db, TEAM_FIELDS, [data[name] for name in TEAM_FIELDS])


def _refusal(locked: Referral, *, actor) -> Exception | None:
    if not access.is_referrer(actor, locked):
        return PermissionDenied("Only the referrer can submit their referral.")
    if locked.status != Status.DRAFT:
        return None  # already submitted: the caller gets it back unchanged
    if not may_still_refer(locked, actor):
        return PermissionDenied(NOT_A_MEMBER_NOW)
    problems = submission_problems(locked)
    return SubmissionProblem(problems) if problems else None


def _assign_reference(referral: Referral, *, key: uuid.UUID, now: datetime, team: Team,
                      next_due_at: datetime) -> None:
    """Draw references until one is unused, in one UPDATE each (no savepoint to catch a
    collision). Two submissions drawing the same unused reference in the same instant (about
    1 in 3.8e11) would meet the unique constraint: that request fails whole and the draft can be
    submitted again. The same UPDATE stores the decision clock just opened as the referral's
    next clock (pathways.deadlines.deadline_open_first: it is the only one)."""
    for _attempt in range(5):
        reference = reference_new()
        in_use = Referral.objects.filter(reference=reference).exclude(pk=OuterRef("pk"))
        updated = (
            Referral.objects.filter(pk=referral.pk)
            .exclude(Exists(in_use))
            .update(reference=reference, status=Status.SUBMITTED, received_at=now, team=team,
                    submission_key=key, draft_expires_at=None, updated_at=now,
                    next_due_at=next_due_at, next_paused_at=None)
        )
        if updated:
            referral.reference, referral.status, referral.received_at = (
                reference, Status.SUBMITTED, now)
            referral.team, referral.submission_key, referral.draft_expires_at = team, key, None
            referral.next_due_at, referral.next_paused_at = next_due_at, None
            return
    raise RuntimeError("Could not draw an unused reference in five attempts.")


def _submit_one(referral: Referral, *, team: Team, actor, key, now, perms, request) -> None:
    # The decision clock first (the referral is locked and, a draft, has no clock yet): its due
    # time goes into the reference's UPDATE and the acknowledgement's wording, and its audit
    # row into the same INSERT as the submission's (issue 19: 8 statements, was 16).
    clock, clock_opened = deadline_open_first(
        referral=referral, kind=DECISION_CLOCK.get(referral.pathway, "concern_decision"),
        starts=now, actor=actor,
    )
    _assign_reference(referral, key=key, now=now, team=team, next_due_at=clock.due_at)
    # Staff see the referral through their team's group; the referrer through their own
    # account (direct-FK guardian tables, one insert each; ids known, so no model lookups).
    ReferralGroupObjectPermission.objects.bulk_create([
        ReferralGroupObjectPermission(content_object_id=referral.pk, group_id=team.group_id,
                                      permission_id=permission_id)
        for permission_id in perms.values()
    ])
    ReferralUserObjectPermission.objects.bulk_create([ReferralUserObjectPermission(
        content_object_id=referral.pk, user_id=actor.pk, permission_id=perms["view_referral"])])
    # The parallel duties the answers trigger (issue 16, part 4): the staff checklist's items.
    # Nothing triggered (the usual case) writes nothing; the rules are cached per process.
    calendar = working_calendar() if referral.urgent else None
    triggered = duties_open(referral, now=now, calendar=calendar)
    audit_detail = {"pathway": referral.pathway, "urgent": referral.urgent,
                    "linked_to": referral.linked_to_id}
    if triggered:
        audit_detail["duties"] = [t.rule.key for t in triggered]
    record(
        referral=referral, kind=EventKind.SUBMITTED, actor=actor, request=request, at=now,
        from_status=Status.DRAFT, to_status=Status.SUBMITTED, visible_to_referrer=True,
        reason=f"Received by the {team.name}.", audit_detail=audit_detail,
        also_audit=[clock_opened],
    )
    _acknowledge(referral, decision_due=clock.due_at)
    if referral.urgent:
        _alert_managers(referral, team=team)
        _alert_edt_out_of_hours(referral, team=team, opens=calendar.next_opening(now))


def _acknowledge(referral: Referral, *, decision_due: datetime) -> None:
    """The acknowledgement owed to the referrer, in feedback's standard wording (reference,
    what happens next and the decision clock's due time; no personal details)."""
    referrer_notify(referral=referral, kind=NoticeKind.ACKNOWLEDGEMENT,
                    dedupe_key=f"acknowledgement:{referral.pk}", decision_due=decision_due)


def _alert_managers(referral: Referral, *, team: Team) -> None:
    for manager in team.managers():
        for channel in (Channel.PORTAL, Channel.EMAIL):
            notice_queue(
                kind="urgent_referral", subject=f"Urgent safeguarding referral {referral.reference}",
                body=(f"An urgent referral, {referral.reference}, has arrived for the {team.name}. "
                      "Sign in to the portal to read it and the reason it is urgent."),
                recipient=manager, referral=referral, channel=channel,
                dedupe_key=f"urgent:{referral.pk}:{manager.pk}:{channel}",
            )


def _alert_edt_out_of_hours(referral: Referral, *, team: Team, opens) -> None:
    """Issue 15, item 4: an urgent referral sent outside working time also emails the Emergency
    Duty Team (EMERGENCY_DUTY_TEAM_EMAIL, else its contact point's address). The reference and
    the team only, as the managers' notice: the EDT signs in to read the rest."""
    if opens is None:
        return
    email, _phone = edt_contact()
    if not email:
        return
    notice_queue(
        kind=EDT_NOTICE, subject=f"Urgent safeguarding referral {referral.reference} (out of hours)",
        body=(f"Out of hours: an urgent safeguarding referral, {referral.reference}, has arrived "
              f"for the {team.name}. The team opens at {when_text(opens)}. If you need to act "
              "before then, the referral's details are in the portal for staff who can see it."),
        recipient_email=email, referral=referral, dedupe_key=f"urgent-edt:{referral.pk}",
    )


def _linked_mash_copy(adult: Referral, *, now: datetime) -> Referral:
    """The children's referral: its own row, reference and clock; the shared answers copied."""
    answers = {key: adult.answers[key] for key in SHARED_ANSWERS if key in adult.answers}
    answers["children"] = adult.answers.get("linked_children", "")
    answers["linked_from_adult_referral"] = True
    categories = sorted({CHILD_CATEGORY_FOR_ADULT[c] for c in adult.categories
                         if c in CHILD_CATEGORY_FOR_ADULT})
    child = Referral.objects.create(
        pathway=Pathway.MASH, status=Status.DRAFT, referrer=adult.referrer,
        organisation=adult.organisation, linked_to=adult, urgent=adult.urgent,
        urgent_reason=adult.urgent_reason,
        person_name=f"Children in the household of {adult.person_name}",
        person_address=adult.person_address, person_postcode=adult.person_postcode,
        children_in_household="yes", categories=categories,
        concern_pattern=adult.concern_pattern, police_informed=adult.police_informed,
        crime_reference=adult.crime_reference, answers=answers,
        feedback_preference=adult.feedback_preference, referrer_phone=adult.referrer_phone,
        created_at=now, steps_done=[],
    )
    AllegedPerson.objects.bulk_create([
        AllegedPerson(referral=child, name=p.name, relationship=p.relationship,
                      agency_name=p.agency_name, lives_with=p.lives_with, cares_for=p.cares_for,
                      contact_with_others_at_risk=p.contact_with_others_at_risk,
                      others_at_risk_details=p.others_at_risk_details)
        for p in adult.alleged_persons.all()
    ])
    # The household (issue 16): the children's team needs the same people.
    HouseholdMember.objects.bulk_create([
        HouseholdMember(referral=child, **{f: getattr(m, f) for f in HOUSEHOLD_FIELDS})
        for m in adult.household_members.all()
    ])
    return child
