"""Shared fixtures. Markers: `postgres` needs PostgreSQL, `redis` needs REDIS_URL."""

import contextlib
import os

import pytest
from django.conf import settings

# pytest-playwright runs an event loop in the test thread; live_server's ORM calls are fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEMO_PASSWORD = "correct-horse-battery-staple"


def pytest_report_header(config):
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    redis = os.environ.get("REDIS_URL") or "not set (tests marked redis are skipped)"
    return [f"database: {engine}", f"redis: {redis}"]


def pytest_collection_modifyitems(config, items):
    is_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_pg = pytest.mark.skip(
        reason="needs PostgreSQL features; set DATABASE_URL=postgres://... to run it"
    )
    skip_redis = pytest.mark.skip(reason="needs a Redis server; set REDIS_URL to run it")
    for item in items:
        # A transactional test's flush deletes what data migrations made (teams, clock policies)
        # and post_migrate then recreates content types with new ids, which breaks the next
        # test's serialized_rollback. Every transactional test restores the data instead.
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction") and (
            "serialized_rollback" not in marker.kwargs
        ):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True),
                append=False,
            )
        if "postgres" in item.keywords and not is_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(skip_redis)
    # Browser tests last: pytest-playwright's session-wide sync API keeps an event loop running
    # in the main thread from the first browser test on, and asgiref then refuses async_to_sync
    # there, so a later test client call to an async view (/readyz) would fail for that reason
    # alone. Sorting is stable: the order within each group is kept.
    items.sort(key=lambda item: "browser" in item.keywords)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Keep the serialized data (for serialized_rollback) on the connection class too: after a
    live_server test, the main thread can get a fresh connection object without it, and the
    next transactional test would then start with no teams or clock policies.

    On PostgreSQL, take a snapshot of the freshly migrated database and end each transactional
    test by restoring it (tests/dbreset.py) instead of Django's flush of every table and the
    next test's deserializing of the data migrations' rows."""
    from django.db import connections

    from tests import dbreset

    connection = connections["default"]
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents is not None:
        type(connection)._test_serialized_contents = contents
    with django_db_blocker.unblock():
        dbreset.snapshot_take()
    with _fast_transactional_reset():
        yield


@contextlib.contextmanager
def _fast_transactional_reset():
    from django.test import TestCase, TransactionTestCase

    from tests import dbreset

    original_setup = TransactionTestCase.__dict__["_fixture_setup"]
    original_teardown = TransactionTestCase.__dict__["_fixture_teardown"]

    def fast(cls):
        return (
            not issubclass(cls, TestCase) and not cls.reset_sequences
            and cls.available_apps is None and not cls.fixtures
            and all(dbreset.snapshot_available(alias)
                    for alias in cls._databases_names(include_mirrors=False))
        )

    @classmethod
    def fixture_setup(cls):
        if not fast(cls):
            original_setup.__func__(cls)
        # Otherwise the database already holds the snapshot: the previous transactional test
        # restored it, and other tests roll back.

    def fixture_teardown(self):
        if not fast(type(self)):
            original_teardown(self)
        for alias in self._databases_names(include_mirrors=False):
            if dbreset.snapshot_available(alias):
                dbreset.snapshot_restore(alias)

    TransactionTestCase._fixture_setup = fixture_setup
    TransactionTestCase._fixture_teardown = fixture_teardown
    try:
        yield
    finally:
        TransactionTestCase._fixture_setup = original_setup
        TransactionTestCase._fixture_teardown = original_teardown


@pytest.fixture(autouse=True)
def _reference_data(request):
    """A transactional test ends with a flush that also empties what data migrations created
    (pathway teams, contact points). Make sure it is there for every database test."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server", "django_db_setup"} & set(request.fixturenames)
    )
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    from accounts.models import Team
    from accounts.teams import PATHWAY_TEAMS
    from pathways.models import RoutingRule

    if Team.objects.count() < len(PATHWAY_TEAMS) or not RoutingRule.objects.exists():
        from accounts.teams import pathway_teams_ensure
        from pathways.duties import duties_ensure
        from pathways.migrations_data import contact_points_ensure
        from pathways.routing import routing_rules_ensure

        pathway_teams_ensure()
        contact_points_ensure()
        routing_rules_ensure()
        duties_ensure()
    from pathways.models import ThresholdLevel

    if not ThresholdLevel.objects.exists():
        from pathways.migrations_data import threshold_levels_ensure

        threshold_levels_ensure()


@pytest.fixture
def demo(transactional_db, settings):
    """The whole demo as `manage.py demo_data` makes it, built once per run (tests/demo.py);
    returns what the command printed. The test is transactional: it sees committed rows, and
    what it changes is undone by the snapshot restore at its end."""
    from tests.demo import HISTORY_PER_MONTH, demo_load

    # A second run of demo_data in the test makes the same history as the first.
    settings.DEMO_HISTORY_PER_MONTH = HISTORY_PER_MONTH
    return demo_load()


@pytest.fixture
def password():
    return DEMO_PASSWORD


@pytest.fixture
def make_user(db):
    from accounts.models import User

    def make(email="person@example.org", full_name="A Person", **extra):
        return User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=full_name, email_verified=True, **extra
        )

    return make


@pytest.fixture
def organisation(db):
    from accounts.models import Organisation, Sector

    return Organisation.objects.create(
        name="Camberwell Day Centre", sector=Sector.VOLUNTARY, verified=True,
        email_domains=["daycentre.example.org"],
    )


@pytest.fixture
def referrer(make_user, organisation):
    from accounts.models import Membership, MembershipStatus

    user = make_user("volunteer@daycentre.example.org", "Dana Volunteer")
    Membership.objects.create(user=user, organisation=organisation, status=MembershipStatus.APPROVED)
    return user


@pytest.fixture
def teams(db):
    from accounts.demo import pathway_teams_ensure

    # Transactional tests flush the rows the data migration made; put them back.
    return {team.pathway: team for team in pathway_teams_ensure()}


@pytest.fixture
def staff_member(make_user, teams):
    """Factory: staff_member("oppd", role="triage")."""
    from accounts.models import TeamMembership

    def make(pathway, role="triage", email=None):
        user = make_user(email or f"{role}.{pathway}@council.example.gov.uk", f"{role} {pathway}")
        TeamMembership.objects.create(user=user, team=teams[pathway], role=role)
        return user

    return make


@pytest.fixture
def council_admin(make_user):
    return make_user("admin@council.example.gov.uk", "Council Admin", is_council_admin=True,
                     is_staff=True)


def otp_login(client, user):
    """client.force_login plus a verified second factor, for tests with MFA_ENFORCED on."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    client.force_login(user)
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Test second factor")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def mfa_enforced(settings):
    """Turn the second factor (and django-axes) on, as in production."""
    settings.MFA_ENFORCED = True
    settings.AXES_ENABLED = True
    return settings


@pytest.fixture
def rate_limits_on(settings):
    """Turn the rate limits (portal/ratelimits.py) on, with fresh counts."""
    from django.core.cache import caches

    settings.RATELIMIT_ENABLE = True
    caches["ratelimit"].clear()
    yield settings
    caches["ratelimit"].clear()
