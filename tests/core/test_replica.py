"""The replica router (core/replica.py): marked reads go to the replica while it keeps up,
to the primary when it lags or cannot be asked; writes and unmarked reads to the primary."""

import pytest
from django.db import DEFAULT_DB_ALIAS

from accounts.models import User
from core import replica
from core.replica import ReplicaRouter, read_alias, replica_reads, replica_usable


@pytest.fixture
def with_replica(settings, monkeypatch):
    # The alias itself is only read through replica_configured(): the lag is what is tested.
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    settings.REPLICA_MAX_LAG_SECONDS = 10
    settings.REPLICA_LAG_CHECK_SECONDS = 5
    replica.lag_cache_clear()
    yield settings
    replica.lag_cache_clear()


def _lag(seconds):
    calls = []

    def lag(alias):
        calls.append(alias)
        return seconds
    lag.calls = calls
    return lag


@pytest.mark.parametrize(("lag", "usable"), [
    (0.0, True), (9.9, True), (10.0, True), (10.1, False), (3600.0, False), (None, False),
])
def test_replica_usable_up_to_the_lag_setting_and_not_when_unknown(with_replica, lag, usable):
    assert replica_usable(now=100.0, lag=_lag(lag)) is usable


def test_the_lag_is_measured_once_per_check_interval(with_replica):
    lag = _lag(1.0)
    replica_usable(now=100.0, lag=lag)
    replica_usable(now=104.9, lag=lag)
    assert lag.calls == ["replica"]
    replica_usable(now=105.0, lag=lag)
    assert lag.calls == ["replica", "replica"]


def test_a_replica_that_falls_behind_is_dropped_at_the_next_check(with_replica):
    assert replica_usable(now=100.0, lag=_lag(2.0))
    assert replica_usable(now=106.0, lag=_lag(30.0)) is False


def test_without_a_replica_alias_everything_reads_from_the_primary(settings):
    assert "replica" not in settings.DATABASES
    with replica_reads():
        assert read_alias() == DEFAULT_DB_ALIAS
        assert ReplicaRouter().db_for_read(User) is None


def test_marked_reads_go_to_a_current_replica_and_writes_never(with_replica, monkeypatch):
    monkeypatch.setattr(replica, "replica_lag_seconds", lambda alias="replica": 0.5)
    router = ReplicaRouter()
    assert router.db_for_read(User) is None  # not marked: Django's own choice (the primary)
    with replica_reads():
        assert router.db_for_read(User) == "replica"
        assert router.db_for_write(User) == DEFAULT_DB_ALIAS
    assert router.db_for_read(User) is None
    assert router.allow_migrate("replica", "accounts") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "accounts") is True


def test_marked_reads_fall_back_to_the_primary_when_the_replica_lags(with_replica, monkeypatch):
    monkeypatch.setattr(replica, "replica_lag_seconds", lambda alias="replica": 45.0)
    with replica_reads():
        assert read_alias() == DEFAULT_DB_ALIAS
        assert ReplicaRouter().db_for_read(User) is None


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_lag_query_on_a_server_that_is_not_a_standby_is_zero():
    """The query the router runs; a primary (or a promoted replica) is current by definition.
    On a real standby the multi-node benchmark reads it (bench/multi)."""
    assert replica.replica_lag_seconds(DEFAULT_DB_ALIAS) == 0.0
