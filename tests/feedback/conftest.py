import pytest

from .factories import referral_acknowledged, staff_make


@pytest.fixture
def assignee(make_user):
    return staff_make(make_user, role="triage")


@pytest.fixture
def manager(make_user):
    return staff_make(make_user, role="manager")


@pytest.fixture
def referral(referrer, assignee):
    return referral_acknowledged(referrer=referrer, assignee=assignee)
