"""Issue 16's teams' phone numbers are "set by the council": blank until an administrator
enters them (never invented, never borrowed from another team), not shown while blank, and
listed by `manage.py check` and on the administrator's home page until they are set."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Team
from pathways.checks import contact_numbers_set
from pathways.contacts import contacts_unset, phone_numbers
from pathways.models import ContactKind, ContactPoint
from tests.conftest import otp_login

pytestmark = pytest.mark.django_db

UNSET = ["Contact point: All Age Disability service (0 to 25)",
         "Contact point: Local Authority Designated Officer (LADO)",
         "Team: All Age Disability service (0 to 25)",
         "Team: Local Authority Designated Officer (LADO)"]


def _unset_besides_duties():
    """The parallel duties' contact points (MARAC, Prevent...: pathways.duties) are also set by
    the council; this file is about the teams' numbers."""
    duties = {f"Contact point: {name}" for name in ContactPoint.objects.filter(
        kind=ContactKind.DUTY).values_list("name", flat=True)}
    return duties


def test_the_lado_and_aad_numbers_are_unset_not_borrowed(teams):
    duties = _unset_besides_duties()
    assert duties  # the duties' numbers are listed too, until set
    assert sorted(set(contacts_unset()) - duties) == sorted(UNSET)
    learning_disabilities = teams["learning-disabilities"].phone
    assert teams["all-age-disability"].phone == ""
    assert learning_disabilities not in {p.phone for p in ContactPoint.objects.filter(
        pathway__in=["all-age-disability", "lado"])}


def test_an_unset_number_is_not_shown(teams):
    pathway_contacts, edt = phone_numbers()
    assert "lado" not in {c.pathway for c in pathway_contacts}
    assert all(c.phone for c in pathway_contacts + edt)


def test_manage_py_check_lists_each_unset_number_until_it_is_set(teams):
    duties = _unset_besides_duties()
    ContactPoint.objects.filter(kind=ContactKind.DUTY).update(phone="020 0000 0003")
    warnings = contact_numbers_set()
    assert [w.id for w in warnings] == ["pathways.W001"] * 4
    assert sorted(w.msg for w in warnings) == sorted(f"{u}: phone number not set." for u in UNSET)
    assert duties
    out = io.StringIO()
    call_command("check", stdout=out, stderr=out)
    assert "LADO" in out.getvalue() and "pathways.W001" in out.getvalue()

    ContactPoint.objects.filter(pathway="lado").update(phone="020 0000 0001")
    Team.objects.filter(pathway="lado").update(phone="020 0000 0001")
    assert len(contact_numbers_set()) == 2
    pathway_contacts, _ = phone_numbers()
    assert "lado" in {c.pathway for c in pathway_contacts}  # shown once set
    ContactPoint.objects.filter(phone="").update(phone="020 0000 0002")
    Team.objects.filter(phone="").update(phone="020 0000 0002")
    assert contact_numbers_set() == []


def test_the_administrators_home_page_lists_them(client, council_admin, teams):
    otp_login(client, council_admin)
    page = client.get(reverse("home")).content.decode()
    assert "Phone numbers to set" in page
    for what in UNSET:
        assert what.replace("(", "(") in page
    assert reverse("admin:pathways_contactpoint_changelist") in page
    Team.objects.filter(phone="").update(phone="020 0000 0002")
    ContactPoint.objects.filter(phone="").update(phone="020 0000 0002")
    assert "Phone numbers to set" not in client.get(reverse("home")).content.decode()
