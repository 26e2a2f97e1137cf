"""A fresh PostgreSQL database for each run, migrated like production."""

import subprocess
import sys

import psycopg2

from .env import PG_SERVER, ROOT


def database_recreate(name: str) -> None:
    # Only ever our own databases: this drops whatever is there.
    if not name.startswith("portal_bench"):
        raise SystemExit(f"Refusing to recreate {name!r}: bench databases are portal_bench*.")
    conn = psycopg2.connect(f"{PG_SERVER}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def database_drop(name: str) -> None:
    if not name.startswith("portal_bench"):
        raise SystemExit(f"Refusing to drop {name!r}.")
    conn = psycopg2.connect(f"{PG_SERVER}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def migrate(environ: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT, env=environ, check=True,
    )


def server_version() -> str:
    conn = psycopg2.connect(f"{PG_SERVER}/postgres")
    with conn.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    conn.close()
    return version
