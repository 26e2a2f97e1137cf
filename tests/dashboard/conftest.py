"""A small, hand-computed world (see test_figures.py for the expected figures), built through
the services by tests/dashboard/world.py.

now = Monday 20 April 2026, 12:00 London (BST). Easter 2026: Good Friday 3 April and Easter
Monday 6 April are bank holidays; the clock engine sets due times accordingly.

Built once per test run (the services take ~20 s for it): the first module that asks for it
builds it inside a transaction, tests/dbreset.built_once keeps a copy of its rows, and each
later module loads that copy (the same rows, ids and all) inside its own transaction. That
transaction is rolled back after the module; each test runs in its own savepoint within it
(pytest-django's `db`), so a test's changes are undone before the next one. A test in such a
module that does not ask for the world still runs inside it once the world is there: count
relative to what is there (test_views.py's query-count test does).
"""

import pytest
from django.db import transaction

from referrals.models import Referral
from tests.dbreset import built_once

from .world import NOW, world_build


@pytest.fixture
def now():
    return NOW


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield built_once("dashboard-world", _world_pks)
        transaction.set_rollback(True)


def _world_pks() -> dict:
    return {key: referral.pk for key, referral in world_build().items()}


@pytest.fixture
def world(_module_world, db):
    """The world's referrals, fresh from the database for each test."""
    rows = Referral.objects.in_bulk(list(_module_world.values()))
    return {key: rows[pk] for key, pk in _module_world.items()}
