"""The beat tasks' `now` must carry its offset: 01:30 on the last Sunday of October happens twice
in London, and a guess would record a breach an hour early or late."""

import pytest

from outbox.tasks import notices_requeue
from referrals.tasks import deadlines_sweep


@pytest.mark.django_db
@pytest.mark.parametrize("task", [deadlines_sweep, notices_requeue])
def test_a_time_without_an_offset_is_refused(task):
    with pytest.raises(ValueError, match="no UTC offset"):
        task.run("2026-10-25T01:30")


@pytest.mark.django_db
@pytest.mark.parametrize("task", [deadlines_sweep, notices_requeue])
def test_a_time_with_an_offset_is_used(task):
    task.run("2026-10-25T01:30+00:00")  # the second 01:30 in London: no error
    task.run("2026-10-25T01:30+01:00")  # the first
