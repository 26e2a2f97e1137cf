"""Referrals for the triage tests, made through the real services (tests.factories): the
referrer fills in each step and submits at `received_at`, so routing, the team's access, the
first clock and the acknowledgement are what the submission service makes; a `status` other
than "submitted" is reached through the triage transitions. A test that needs a decision due
at a given moment chooses `received_at` (time is a parameter); it never rewrites the clock."""

from datetime import date, timedelta

from django.utils import timezone

from referrals.models import Referral
from tests.factories.referrals import referral_with


def referral_make(*, referrer, pathway="oppd", status="submitted", urgent=False,
                  received_at=None, person_name="Margaret Ellison",
                  person_dob=date(1941, 3, 27), person_postcode="SE5 8AA",
                  categories=("neglect",),
                  what_happened="Neighbour reports unopened post and no heating.",
                  **extra) -> Referral:
    return referral_with(referrer, pathway=pathway, status=status, urgent=urgent,
                         received_at=received_at or timezone.now() - timedelta(hours=1),
                         person_name=person_name, person_dob=person_dob,
                         person_postcode=person_postcode, categories=categories,
                         what_happened=what_happened, **extra)
