"""A small, hand-computed world (see test_figures.py for the expected figures), built by
tests/dashboard/world.py.

now = Monday 20 April 2026, 12:00 London (BST). Easter 2026: Good Friday 3 April and Easter
Monday 6 April are bank holidays; the clocks recorded due_at accordingly.
"""

import pytest

from .factories import london
from .world import world_build

NOW = london(2026, 4, 20, 12, 0)


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def world(db):
    return world_build()
