"""A transactional test's database reset, cheaper than Django's flush (docs/testing.md).

Django ends every TransactionTestCase (transactional_db, live_server: every browser test) with
`flush`: TRUNCATE of all ~70 tables, then, with serialized_rollback, the next test re-creates
the rows data migrations made (teams, contact points, clock policies, routing rules, challenge
tiers, content types, permissions...) by deserializing JSON through the ORM, row by row.

Here instead, on PostgreSQL:
- `snapshot_take` copies (COPY ... TO STDOUT, in memory) every table that has rows right after
  migrating, before any test runs: exactly the state a fresh database has, data migrations'
  rows with their ids and all.
- `snapshot_restore`, at the end of each transactional test, asks in one query how many rows
  each table has, empties only the tables with rows and the snapshot's tables (DELETE in
  `session_replication_role = replica`, so no foreign-key order; TRUNCATE for a big table),
  and COPYs the snapshot's rows back. It then counts again: rows that triggers wrote meanwhile
  (the dashboard's change capture marks referrals on DELETE) are cleared in a second pass, so
  every table ends with the rows it had after migrating. Sequences are not reset, as with Django's flush
  (reset_sequences=False): restored rows keep their ids, new rows get new ones.

A test with `reset_sequences`, `available_apps` or `fixtures` keeps Django's own flush.
"""

import io

from django.db import connections, transaction

SNAPSHOTS: dict[str, dict] = {}
# Tables no migration fills: rows there at the start mean a test's rows were left behind.
NEVER_MIGRATED = {"accounts_user", "referrals_referral", "audit_auditevent"}
BIG = 5_000  # rows; a table with more is TRUNCATEd rather than DELETEd from


def _quote(connection, name):
    return connection.ops.quote_name(name)


def _tables(connection) -> list[str]:
    # The tables Django's flush empties: every model's table that exists, no views.
    return sorted(connection.introspection.django_table_names(
        only_existing=True, include_views=False))


def _counts(connection, cursor, tables) -> dict[str, int]:
    """Rows in each table, in one query (tables with rows only)."""
    sql = " UNION ALL ".join(
        f"SELECT %s, count(*) FROM {_quote(connection, t)}" for t in tables)
    cursor.execute(sql, list(tables))
    return {t: n for t, n in cursor.fetchall() if n}


def _capture(connection, tables) -> tuple[dict[str, int], dict[str, bytes]]:
    rows = {}
    with connection.cursor() as cursor:
        counts = _counts(connection, cursor, tables)
        for table in counts:
            buffer = io.BytesIO()
            cursor.copy_expert(f"COPY {_quote(connection, table)} TO STDOUT", buffer)
            rows[table] = buffer.getvalue()
    return counts, rows


def snapshot_take(alias="default") -> None:
    """Copy every non-empty table of the freshly migrated test database into memory."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return
    tables = _tables(connection)
    counts, rows = _capture(connection, tables)
    left = sorted(set(counts) & NEVER_MIGRATED)
    if left:
        # A reused test database (--reuse-db) that an interrupted run left rows in.
        raise RuntimeError(f"the test database already holds rows in {left}: a run was "
                           "interrupted; run once with --create-db")
    SNAPSHOTS[alias] = {"tables": tables, "rows": rows}


def snapshot_available(alias="default") -> bool:
    return alias in SNAPSHOTS and connections[alias].vendor == "postgresql"


def snapshot_restore(alias="default") -> None:
    """Put every table back as it was after migrating (see the module's docstring)."""
    _load(alias, SNAPSHOTS[alias]["rows"])


BUILT: dict[tuple[str, str, bool], tuple[dict[str, bytes], object]] = {}


def built_once(key: str, build, alias="default"):
    """Run `build` the first time in the session and keep a copy of every table it leaves (and
    what it returned); later calls load that copy instead of building again, and return the
    same value. The database must be as migrated when it is called: at the start of a
    transactional test, or inside a test's (or a module's) transaction that has written nothing
    yet. The rows are the same, ids and all; times the build took from the clock are those of
    the first build (minutes earlier at most). Caches, mail.outbox and anything else outside the
    database are not rebuilt: use it only where the test needs nothing the build did but its
    rows.

    A build committed in a transactional test (its `transaction.on_commit` work ran: notices
    handed to the outbox and sent) and a build inside a transaction that is rolled back (that
    work never ran) leave different rows, so each is kept apart: a transactional test never
    loads what a rolled-back build left, nor the other way round."""
    if not snapshot_available(alias):
        return build()
    connection = connections[alias]
    with connection.cursor() as cursor:
        counts = _counts(connection, cursor, SNAPSHOTS[alias]["tables"])
    if counts != {t: data.count(b"\n") for t, data in SNAPSHOTS[alias]["rows"].items()}:
        # Loading would silently replace rows the test (or a fixture) has already made.
        raise RuntimeError(f"built_once({key!r}): the database is not as migrated")
    committed = not connection.in_atomic_block
    if (alias, key, committed) in BUILT:
        rows, value = BUILT[(alias, key, committed)]
        _load(alias, rows)
        return value
    value = build()
    BUILT[(alias, key, committed)] = (
        _capture(connection, SNAPSHOTS[alias]["tables"])[1], value)
    return value


def _load(alias, rows) -> None:
    """Make every table hold exactly `rows` (COPY text of each non-empty table)."""
    connection = connections[alias]
    tables = SNAPSHOTS[alias]["tables"]
    expected = {t: data.count(b"\n") for t, data in rows.items()}
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        # Replica mode: no foreign-key checks (any order will do; the counts below prove the
        # end state) and no ordinary triggers (the audit table's append-only row trigger).
        # Triggers enabled ALWAYS (the dashboard's change capture) still fire.
        cursor.execute("SET LOCAL session_replication_role = replica")
        counts = _counts(connection, cursor, tables)
        clear = set(counts) | set(rows)
        for _ in range(4):
            if not clear:
                break
            # DELETE is far cheaper than TRUNCATE for a few rows (TRUNCATE makes new files for
            # the table and each index, and syncs them at commit); a big table is TRUNCATEd.
            big = sorted(t for t in clear if counts.get(t, 0) > BIG)
            if big:
                cursor.execute("TRUNCATE {} CASCADE".format(
                    ", ".join(_quote(connection, t) for t in big)))
            for table in sorted(clear - set(big)):
                cursor.execute(f"DELETE FROM {_quote(connection, table)}")
            for table in sorted(clear & set(rows)):
                cursor.copy_expert(
                    f"COPY {_quote(connection, table)} FROM STDIN", io.BytesIO(rows[table]))
            counts = _counts(connection, cursor, tables)
            clear = {t for t in set(counts) | set(expected)
                     if counts.get(t, 0) != expected.get(t, 0)}
        else:
            raise RuntimeError(f"test database reset did not settle: {sorted(clear)}")
        # SET LOCAL lasts to the end of the outermost transaction, should there be one.
        cursor.execute("SET LOCAL session_replication_role = origin")
