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
    return referral_planted(referrer=referrer, assignee=assignee)  # not yet service-built
