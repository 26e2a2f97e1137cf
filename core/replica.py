"""Reads that may come from the streaming replica: the dashboard and its reports (issue 19).

A view marks the reads that may be a few seconds old with `replica_reads()` (or the
`@reads_from_replica` decorator); inside it the router sends reads to the "replica" alias while
that replica is at most REPLICA_MAX_LAG_SECONDS behind the primary, and to the primary otherwise.
Writes (the audit row a dashboard view writes) always go to the primary. Outside a marked block
every read goes to the primary, so a page never reads its own write from a replica that has not
replayed it yet. Raw SQL asks `read_alias()` which connection to use.

The lag is measured on the replica itself (PostgreSQL's replay timestamp) and kept for
REPLICA_LAG_CHECK_SECONDS per process, so a busy dashboard costs one extra query every few
seconds, not one per read. A replica that cannot be reached counts as lagging: the primary
answers, and the page still works.
"""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"

_marked: ContextVar[bool] = ContextVar("replica_reads", default=False)
# (monotonic time measured, lag in seconds or None when unknown) per process.
_lag_cache: dict[str, tuple[float, float | None]] = {}

# On a standby: 0 when everything received is replayed (an idle primary writes nothing, so the
# replay timestamp ages while the replica is in fact current), else the age of the last replayed
# transaction. Not in recovery (the alias points at a primary, e.g. after a promotion): current.
LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
END
"""


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_lag_seconds(alias: str = REPLICA) -> float | None:
    """How far the replica's replay is behind, in seconds; None if it cannot be asked."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return 0.0  # SQLite (the demo) has no replicas: an alias there is the same file
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            return float(cursor.fetchone()[0])
    except DatabaseError as error:
        log.warning("replica lag unknown: %s", type(error).__name__)
        connection.close_if_unusable_or_obsolete()
        return None


def replica_usable(*, now: float | None = None, lag=None) -> bool:
    """Whether the replica is close enough behind to serve marked reads (cached per process)."""
    if not replica_configured():
        return False
    now = time.monotonic() if now is None else now
    measured = _lag_cache.get(REPLICA)
    if measured is None or now - measured[0] >= settings.REPLICA_LAG_CHECK_SECONDS:
        measured = (now, (lag or replica_lag_seconds)(REPLICA))
        _lag_cache[REPLICA] = measured
    seconds = measured[1]
    return seconds is not None and seconds <= settings.REPLICA_MAX_LAG_SECONDS


def lag_cache_clear() -> None:
    _lag_cache.clear()


@contextmanager
def replica_reads():
    """Reads inside may come from the replica (if it is not lagging)."""
    token = _marked.set(True)
    try:
        yield
    finally:
        _marked.reset(token)


def reads_from_replica(view):
    """A view decorator: the view's reads may come from the replica."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)
    return wrapped


def read_alias() -> str:
    """The alias a read should use now: "replica" inside a marked block while it keeps up."""
    if _marked.get() and replica_usable():
        return REPLICA
    return PRIMARY


class ReplicaRouter:
    """DATABASE_ROUTERS entry: marked reads to the replica, everything else to the primary."""

    def db_for_read(self, model, **hints):
        # None, not "default", outside a marked block: Django's own choice (an instance's
        # database for its relations) stands, as without the router.
        return REPLICA if read_alias() == REPLICA else None

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # a replica is read-only: it gets the schema by replication
