import pytest

from tests.triage.factories import referral_make


@pytest.fixture
def make_referral(referrer):
    def make(**kwargs):
        kwargs.setdefault("referrer", referrer)
        return referral_make(**kwargs)

    return make


@pytest.fixture
def oppd_worker(staff_member):
    return staff_member("oppd")


@pytest.fixture
def oppd_manager(staff_member):
    return staff_member("oppd", role="manager")


@pytest.fixture
def mash_worker(staff_member):
    return staff_member("mash")
