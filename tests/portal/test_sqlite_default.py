"""The README's "run the portal" command uses an embedded SQLite default (no PostgreSQL). Every
migration must apply there too: PostgreSQL-only SQL (a NOT VALID key, CREATE INDEX
CONCURRENTLY, triggers) runs only on PostgreSQL (core.migration_operations and the vendor checks
in the migrations). A raw ALTER TABLE ... NOT VALID once broke the demo while every test on
PostgreSQL passed."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(tmp_path, *args):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings_test",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    env.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, "manage.py", *args, "--noinput", "-v0"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)


def test_every_migration_applies_and_reverses_on_the_embedded_sqlite_default(tmp_path):
    result = _manage(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr[-3000:]
    # Back past this session's foreign keys added without a lock, and forwards again.
    for app, target in (("triage", "0003"), ("referrals", "0010")):
        result = _manage(tmp_path, "migrate", app, target)
        assert result.returncode == 0, result.stderr[-3000:]
    result = _manage(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr[-3000:]
