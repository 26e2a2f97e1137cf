import pytest

from .factories import referral_planted, staff_make


@pytest.fixture
def assignee(make_user):
    return staff_make(make_user, role="triage")


@pytest.fixture
def manager(make_user):
    return staff_make(make_user, role="manager")


@pytest.fixture
def referral(referrer, assignee):
    # Still hand-planted: test_outbox*, test_redis_outage count every notice and email.
    return referral_planted(referrer=referrer, assignee=assignee)
