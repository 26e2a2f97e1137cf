"""Referrals for the feedback tests, made through the real services (tests.factories.referrals
referral_with), and the teams and staff they go to."""

from datetime import date, datetime, timedelta

from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from accounts.models import Team, TeamMembership, TeamRole
from outbox.models import Notice, NoticeStatus
from outbox.send import notice_send_now
from referrals.models import Referral
from tests.factories.referrals import referral_with

# Distinctive details: the no-personal-data tests look for these in every email.
PERSON_NAME = "Eleanor Whitcombe"
PERSON_DOB = date(1941, 3, 2)
PERSON_POSTCODE = "SE5 8RS"
PERSON_ADDRESS = "14 Grove Lane, Camberwell"


TEAM_NAMES = {
    "oppd": "OPPD contact centre",
    "mental-health": "Mental health safeguarding team",
    "learning-disabilities": "Learning disabilities team",
    "mash": "Multi-Agency Safeguarding Hub",
}


def team_for(pathway: str) -> Team:
    """The pathway's team. The data migration makes them, but a transactional test's flush
    removes them, so make them again when missing."""
    team = Team.objects.filter(pathway=pathway).first()
    if team is None:
        group, _ = Group.objects.get_or_create(name=f"team:{pathway}")
        team = Team.objects.create(name=TEAM_NAMES[pathway], pathway=pathway, group=group,
                                   phone="020 7525 1754", email=f"{pathway}@council.example.gov.uk")
    return team


def referral_make(*, referrer, pathway: str = "oppd", status: str = "submitted",
                  received_at: datetime | None = None, assignee=None,
                  person_name: str = PERSON_NAME, person_dob=PERSON_DOB,
                  person_postcode: str = PERSON_POSTCODE, person_address: str = PERSON_ADDRESS,
                  **extra) -> Referral:
    """A referral made the only way the site makes one (tests.factories.referrals.referral_with):
    the referrer answers every step and submits at `received_at`, so routing, the team's access,
    the acknowledgement notice, audit rows and clocks are the services' own. Tests that count
    notices or emails take their counts after building."""
    return referral_with(referrer, pathway=pathway, status=status,
                         received_at=received_at or timezone.now() - timedelta(hours=1),
                         assignee=assignee, person_name=person_name, person_dob=person_dob,
                         person_postcode=person_postcode, person_address=person_address, **extra)


def referral_acknowledged(**options) -> Referral:
    """referral_make, with the acknowledgement notices its submission queued already sent by
    the outbox's own sender, as the worker does after commit (a test transaction never commits),
    and the test mailbox emptied: for tests of the outbox itself, whose notices are then the
    only pending ones and whose emails the only ones in the mailbox."""
    referral = referral_make(**options)
    pending = Notice.objects.filter(referral=referral, status=NoticeStatus.PENDING)
    for notice_id in pending.values_list("pk", flat=True):
        notice_send_now(notice_id)
    mail.outbox.clear()
    return referral


def staff_make(make_user, *, pathway: str = "oppd", role: str = TeamRole.TRIAGE, email=None):
    """A team member who is also in the team's group (so the team's object permissions apply)."""
    team = team_for(pathway)
    user = make_user(email or f"{role}.{pathway}@council.example.gov.uk", f"Sam {role.title()}")
    TeamMembership.objects.create(user=user, team=team, role=role)
    user.groups.add(team.group)
    return user
