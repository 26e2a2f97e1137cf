"""People and organisations.

Referrers and safeguarding leads sign up, confirm their address and are approved through
accounts.services, as on the site. Organisations, council administrators and staff's places in
pathway teams have no service: council administrators make them in the Django admin, so those
factories write the rows the admin form writes.
"""

import itertools
from datetime import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts import services
from accounts.models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    Organisation,
    Sector,
    Team,
    TeamMembership,
    TeamRole,
    User,
)
from accounts.tokens import verification_token_make

PASSWORD = "correct-horse-battery-staple"  # the same as tests/conftest.py's DEMO_PASSWORD
_numbers = itertools.count(1)


def _domain(name: str) -> str:
    return "".join(c for c in name.lower().replace(" ", "-") if c.isalnum() or c == "-") + \
        ".example.org"


class OrganisationFactory(DjangoModelFactory):
    """A verified organisation (made by a council administrator in the admin)."""

    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    sector = Sector.VOLUNTARY
    verified = True
    email_domains = factory.LazyAttribute(lambda o: [_domain(o.name)])


class CouncilAdminFactory(DjangoModelFactory):
    """A council administrator (made with createsuperuser or in the admin)."""

    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = "admin@council.example.gov.uk"
    full_name = "Council Admin"
    email_verified = True
    is_council_admin = True
    is_staff = True
    password = factory.django.Password(PASSWORD)


def council_admin() -> User:
    return CouncilAdminFactory()


def person_sign_up(*, organisation: Organisation, full_name: str, email: str,
                   role: str = MembershipRole.REFERRER, now: datetime | None = None,
                   job_title: str = "Support worker") -> User:
    """Sign up, confirm the address from the emailed link, and be approved: a referrer on the
    organisation's own domain joins at once; a lead (or another domain) waits for a council
    administrator, who approves them in the role asked for."""
    now = now or timezone.now()
    user = services.referrer_sign_up(full_name=full_name, email=email, password=PASSWORD,
                                     job_title=job_title, organisation=organisation, now=now)
    services.email_verify(token=verification_token_make(user=user, now=now), now=now)
    membership = Membership.objects.get(user=user)
    if membership.status == MembershipStatus.PENDING:
        services.membership_approve(membership=membership, actor=council_admin(), role=role,
                                    now=now)
    user.refresh_from_db()
    return user


class ReferrerFactory(factory.Factory):
    """An approved referrer of `organisation` (signed up through the service)."""

    class Meta:
        model = User

    organisation = factory.SubFactory(OrganisationFactory)
    full_name = factory.Sequence(lambda n: f"Referrer {n}")
    email = factory.LazyAttribute(
        lambda o: f"referrer{next(_numbers)}@{(o.organisation.email_domains or ['example.org'])[0]}")
    role = MembershipRole.REFERRER
    now = None

    @classmethod
    def _create(cls, model_class, *, organisation, full_name, email, role, now):
        return person_sign_up(organisation=organisation, full_name=full_name, email=email,
                              role=role, now=now)

    _build = _create


class LeadFactory(ReferrerFactory):
    """An organisation's safeguarding lead: approved by a council administrator as lead."""

    full_name = factory.Sequence(lambda n: f"Lead {n}")
    # Not on the organisation's domain, so the request waits for the administrator.
    email = factory.Sequence(lambda n: f"lead{n}@leads.example.net")
    role = MembershipRole.SAFEGUARDING_LEAD


class StaffFactory(factory.Factory):
    """A member of a pathway team. Staff accounts and their places in teams are made by council
    administrators in the admin (no service); the teams come from the data migration."""

    class Meta:
        model = User

    pathway = "oppd"
    role = TeamRole.TRIAGE
    duty = False
    email = factory.LazyAttribute(lambda o: f"{o.role}.{o.pathway}@council.example.gov.uk")
    full_name = factory.LazyAttribute(lambda o: f"{o.role.title()} {o.pathway}")

    @classmethod
    def _create(cls, model_class, *, pathway, role, duty, email, full_name):
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=PASSWORD, full_name=full_name, email_verified=True)
        TeamMembership.objects.get_or_create(
            user=user, team=Team.objects.get(pathway=pathway),
            defaults={"role": role, "is_duty_manager": duty})
        return user

    _build = _create


def staff(pathway: str = "oppd", role: str = TeamRole.TRIAGE, **extra) -> User:
    """A worker (or, with role=TeamRole.MANAGER, the manager) of the pathway's team."""
    return StaffFactory(pathway=pathway, role=role, **extra)


def pending_person(*, organisation: Organisation | None = None,
                   email: str = "new.volunteer@elsewhere.example", full_name: str = "Nia Waiting") -> User:
    """Signed up and verified from an address outside the organisation's domains: waiting for a
    council administrator's approval (what a new volunteer sees on their first day)."""
    organisation = organisation or OrganisationFactory()
    now = timezone.now()
    user = services.referrer_sign_up(full_name=full_name, email=email, password=PASSWORD,
                                     job_title="Volunteer", organisation=organisation, now=now)
    services.email_verify(token=verification_token_make(user=user, now=now), now=now)
    user.refresh_from_db()
    return user
