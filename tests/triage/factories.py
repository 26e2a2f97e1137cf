"""Referrals as the submission service leaves them: submitted, routed to a team, the team's
group granted view and triage permissions, the first clock open. The referral helper's
submission service does the same in production; these tests must not depend on its forms."""

import itertools
from datetime import date, timedelta

from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.models import Team
from pathways import deadlines
from pathways.models import Deadline
from referrals.models import Referral

_numbers = itertools.count(1)
PERMS = ("referrals.view_referral", "referrals.triage_referral")


def reference_next() -> str:
    return f"TR{next(_numbers):08d}"


def referral_make(*, referrer, pathway="oppd", status="submitted", urgent=False,
                  received_at=None, person_name="Margaret Ellison",
                  person_dob=date(1941, 3, 27), person_postcode="SE5 8AA",
                  categories=("neglect",), grant=True, clock=True, due_in=None,
                  **extra) -> Referral:
    """`due_in` (a timedelta from now) pins the decision clock's due time, so a test does not
    depend on today's working hours; without it the clocks' own policy decides."""
    team = Team.objects.get(pathway=pathway)
    received_at = received_at or timezone.now() - timedelta(hours=1)
    membership = getattr(referrer, "membership", None)
    referral = Referral.objects.create(
        reference=reference_next(), pathway=pathway, team=team, status=status, urgent=urgent,
        referrer=referrer, organisation=membership.organisation if membership else None,
        person_name=person_name, person_dob=person_dob, person_postcode=person_postcode,
        categories=list(categories), received_at=received_at, created_at=received_at,
        answers={"what_happened": "Neighbour reports unopened post and no heating.",
                 "person_wishes": "Wants to stay at home."},
        **extra,
    )
    if grant:
        for perm in PERMS:
            assign_perm(perm, team.group, referral)
    if clock:
        kind = "mash_decision" if pathway == "mash" else "concern_decision"
        clock = deadlines.deadline_open(referral=referral, kind=kind, starts=received_at)
        if due_in is not None:
            due = timezone.now() + due_in
            Deadline.objects.filter(pk=clock.pk).update(due_at=due,
                                                        warning_at=due - timedelta(hours=2))
            deadlines.referral_clock_sync(referral)
    return referral


def clocks_sync(referrals) -> None:
    """After a test writes deadlines directly (not through pathways.deadlines): keep the
    referrals' next clock right, as the services do in the same transaction."""
    for referral in referrals:
        deadlines.referral_clock_sync(referral)
