"""Demo data: organisations of each sector, one account per role and per pathway team."""

import re

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import Membership, MembershipStatus, Organisation, Sector, TeamMembership, User
from accounts.roles import role_of
from core.vocabulary import Pathway, Role

# The demo is made once per run by `demo_data` (tests/demo.py); the `demo` fixture loads it and
# gives what the command printed.
pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_data_covers_every_sector_role_and_team(demo):
    out = demo
    listed = re.findall(r"^    (\S+@\S+)\s", out, re.M)

    assert {o.sector for o in Organisation.objects.all()} == set(Sector.values)
    roles = {role_of(User.objects.get(email=email)).role for email in listed}
    assert roles == set(Role)  # pending people included: the approvals page has work
    for pathway in Pathway.values:  # the four first teams, the All Age Disability service, the LADO
        assert set(TeamMembership.objects.filter(team__pathway=pathway)
                   .values_list("role", flat=True)) == {"triage", "manager"}
    waiting = Membership.objects.filter(status=MembershipStatus.PENDING, user__email_verified=True)
    assert waiting.count() == 2
    assert len(listed) == 23  # 8 referrers and leads, 12 staff, 1 administrator, 2 waiting
    for email in listed:  # every account the command prints signs in with the demo password
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD), email
    assert DEMO_PASSWORD in out
    assert "admin@council.example.gov.uk" in out
    assert "/account/sign-in/" in out


def test_demo_data_is_idempotent(demo):
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count())
    call_command("demo_data", verbosity=0)
    assert (User.objects.count(), Organisation.objects.count(),
            Membership.objects.count()) == counts
