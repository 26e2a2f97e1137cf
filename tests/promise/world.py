"""The people of the promise machine and the checks it runs after every step.

The people are made once per test (in the test's transaction) through tests.factories; every
hypothesis example then runs in a savepoint that is rolled back, so examples do not see each
other's referrals and the people are not made 200 times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import BytesIO

from django.contrib.auth.models import Group
from django.test import Client
from pypdf import PdfReader

from accounts.models import TeamRole
from audit.models import AuditEvent
from feedback.models import FeedbackRecord, Notice
from pathways.models import ClockPause, Deadline
from referrals.models import Referral, ReferralEvent
from referrals.workflow import PREVIOUS, SAME, TRANSITIONS, Action, Status
from tests.factories import accounts
from tests.factories.referrals import complete_draft
from triage.models import Assignment, Decision, DuplicateLink, InternalNote

# Staff names are internal too (the referrer is given the team, never a person's name).
STAFF_NAME = "Staffname-{key}-Marker"


@dataclass
class Person:
    key: str
    user: object
    client: Client
    pathway: str = ""  # staff: their team's pathway
    role: str = ""  # "referrer", "lead", "triage", "manager"

    @property
    def is_staff(self) -> bool:
        return bool(self.pathway)


@dataclass
class World:
    people: dict[str, Person] = field(default_factory=dict)
    # (referrer key, kind) -> complete drafts, filled in through the step forms once per test.
    # Each example runs in a savepoint that is rolled back, so every example finds them still
    # in draft and submits them itself (referral_submit, with the example's time).
    drafts: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    def of_role(self, *roles) -> list[str]:
        return sorted(k for k, p in self.people.items() if p.role in roles)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def world_build() -> World:
    """Two organisations (three referrers and a lead), a worker and a manager (the duty
    manager, told of breaches) in each of the four pathway teams."""
    world = World()
    day_centre = accounts.OrganisationFactory(name="Camberwell Day Centre")
    food_bank = accounts.OrganisationFactory(name="Peckham Food Bank")
    for key, org in (("ra1", day_centre), ("ra2", day_centre), ("rb", food_bank)):
        user = accounts.ReferrerFactory(organisation=org, full_name=f"Referrer {key}")
        world.people[key] = Person(key, user, _client(user), role="referrer")
    lead = accounts.LeadFactory(organisation=day_centre, full_name="Lena Lead")
    world.people["lead"] = Person("lead", lead, _client(lead), role="lead")
    for pathway, short in (("oppd", "oppd"), ("mash", "mash"), ("mental-health", "mh")):
        for role in (TeamRole.TRIAGE, TeamRole.MANAGER):
            key = f"{'w' if role == TeamRole.TRIAGE else 'm'}-{short}"
            user = accounts.staff(pathway, role, full_name=STAFF_NAME.format(key=key),
                                  duty=role == TeamRole.MANAGER)
            world.people[key] = Person(key, user, _client(user), pathway=pathway, role=role)
    for role in (TeamRole.TRIAGE, TeamRole.MANAGER):
        key = f"{'w' if role == TeamRole.TRIAGE else 'm'}-ld"
        user = accounts.staff("learning-disabilities", role, full_name=STAFF_NAME.format(key=key),
                              duty=role == TeamRole.MANAGER)
        world.people[key] = Person(key, user, _client(user), pathway="learning-disabilities",
                                   role=role)
    for key in ("ra1", "ra2", "rb"):
        for kind, options in KINDS.items():
            world.drafts[(key, kind)] = [
                complete_draft(world.people[key].user, **options).pk for _ in range(COPIES)]
    return world


# What a referrer can send: the options of tests.factories.referrals.complete_draft.
KINDS = {
    "adult": {},
    "adult-no-consent": {"consent": "no"},
    "adult-phone-only": {"feedback_preference": "phone_only"},
    "child": {"child": True},
    "urgent": {"urgent": True, "consent": "no"},
    "urgent-child": {"urgent": True, "child": True, "feedback_preference": "phone_only"},
    "mental-health": {"pathway": "mental-health"},
    "linked": {"linked": True},
}
COPIES = 2  # the same referrer may send the same kind twice in one example


# --- the workflow table's reach --------------------------------------------------------------

def edges() -> set[tuple[str, str]]:
    """(from, to) status changes the table allows (PREVIOUS: back to any status info could be
    requested from; SAME: no change)."""
    found = set()
    requested_from = {s for row in TRANSITIONS if row.action == Action.INFO_REQUEST
                      for s in row.sources}
    for row in TRANSITIONS:
        for source in row.sources:
            if row.target == PREVIOUS:
                found |= {(source, back) for back in requested_from}
            elif row.target != SAME:
                found.add((source, row.target))
    found.add((Status.DRAFT, Status.SUBMITTED))  # submission (referrals.services)
    return found


EDGES = edges()


def reachable() -> set[str]:
    seen, frontier = {Status.SUBMITTED}, [Status.SUBMITTED]
    while frontier:
        status = frontier.pop()
        for source, target in EDGES:
            if source == status and target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


REACHABLE = reachable()


# --- snapshots: "changes nothing" ------------------------------------------------------------

def snapshot(referral_ids) -> dict:
    """Every row that belongs to these referrals (audit rows aside: a refusal is audited)."""
    ids = list(referral_ids)
    by_referral = {
        "referral": Referral.objects.filter(pk__in=ids),
        "event": ReferralEvent.objects.filter(referral__in=ids),
        "notice": Notice.objects.filter(referral__in=ids),
        "feedback": FeedbackRecord.objects.filter(referral__in=ids),
        "deadline": Deadline.objects.filter(referral__in=ids),
        "pause": ClockPause.objects.filter(deadline__referral__in=ids),
        "decision": Decision.objects.filter(referral__in=ids),
        "note": InternalNote.objects.filter(referral__in=ids),
        "link": DuplicateLink.objects.filter(referral__in=ids),
        "assignment": Assignment.objects.filter(referral__in=ids),
    }
    out = {name: sorted(map(repr, qs.order_by("pk").values_list()))
           for name, qs in by_referral.items()}
    from referrals.models import ReferralGroupObjectPermission

    out["grants"] = sorted(ReferralGroupObjectPermission.objects.filter(
        content_object__in=ids).values_list("content_object_id", "group_id", "permission_id"))
    out["groups"] = Group.objects.count()
    return out


# --- what the referrer can read --------------------------------------------------------------

def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return content.decode(errors="replace")


MARKER = re.compile(r"(?:INT|VIS|NOC)\d{4}[A-Z][a-z]+")


def markers_in(text: str) -> set[str]:
    return set(MARKER.findall(text)) | set(re.findall(r"Staffname-[a-z-]+-Marker", text))


def audit_since(last_id: int):
    return list(AuditEvent.objects.filter(pk__gt=last_id).order_by("pk"))
