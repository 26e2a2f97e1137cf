"""Demo staff are greeted by a person's name, not "Welcome, Older" (issue 18, item 8)."""

import pytest
from django.urls import reverse

from accounts.demo import demo_people_ensure
from accounts.models import TeamMembership
from core.vocabulary import Pathway
from tests.conftest import otp_login

pytestmark = pytest.mark.django_db


def test_demo_staff_are_greeted_by_their_first_name(client):
    demo_people_ensure()
    team_words = {label.split()[0] for label in Pathway.labels} | {"Triage", "Team", "Older"}
    staff = [m.user for m in TeamMembership.objects.select_related("user")]
    assert len(staff) >= 8
    for person in staff:
        assert person.get_short_name() not in team_words, person.full_name
    otp_login(client, staff[0])
    page = client.get(reverse("home")).content.decode()
    assert f"Welcome, {staff[0].get_short_name()}" in page
