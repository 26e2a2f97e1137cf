"""The whole demo, made once per test run by the real `manage.py demo_data` (docs/testing.md).

The demo tests (accounts, dashboard, pathways, portal, referrals, browser foundation) each used
to run `demo_data` once or twice, 30 to 110 s a test. Now the first test that asks for the
`demo` fixture (tests/conftest.py) runs the command, in a transactional test, so it commits as
`manage.py demo_data` does and its `transaction.on_commit` work (notices handed to the outbox)
runs; tests/dbreset.built_once keeps a copy of every table, and each later test loads that copy
(the same rows, ids and all). Each test still ends with the snapshot restore of every
transactional test, so what a test changes (a second run, the summaries rebuilt) is gone before
the next one.

Tests that check the command is safe to re-run run it again themselves, on the loaded demo.
"""

import io

from django.core.management import call_command
from django.test.utils import override_settings

from tests.dbreset import built_once

# More history than settings_test's 8 a month, so that every pathway, rating and outcome has
# enough referrals for a disagreement between the dashboard and tests/dashboard/recompute.py to
# show (test_demo_recomputed.py); every demo test reads this one build.
HISTORY_PER_MONTH = 20


def _demo_data() -> str:
    out = io.StringIO()
    with override_settings(DEMO_HISTORY_PER_MONTH=HISTORY_PER_MONTH):
        call_command("demo_data", stdout=out)
    return out.getvalue()


def demo_load() -> str:
    """Make the database hold the demo (running `demo_data` the first time in the run); return
    what the command printed when it made it."""
    return built_once("demo_data", _demo_data)
