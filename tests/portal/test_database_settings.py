"""Database connection settings (docs/performance.md, "1. Every PostgreSQL query pays for JIT
compilation"): JIT is off for every connection the portal opens."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_connections_have_jit_off():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_jit_off_keeps_the_urls_options_and_pgoptions_after_it():
    """libpq ignores PGOPTIONS once `options` is set, so the settings carry it on (after
    jit=off, so that PGOPTIONS="-c jit=on" can still turn it back on for a comparison)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DEBUG": "true",
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/db?options=-c%20statement_timeout%3D5000",
        "PGOPTIONS": "-c jit=on",
    }
    result = subprocess.run(
        [sys.executable, "-c", "from portal import settings; "
         "print(settings.DATABASES['default']['OPTIONS']['options'])"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )
    assert result.stdout.strip() == "-c jit=off -c statement_timeout=5000 -c jit=on"
