import re

import pytest
from django.test import Client, TestCase


@pytest.fixture
def sign_up_data(organisation):
    return {
        "full_name": "Sam  Newcomer",
        "email": "Sam@DayCentre.example.org",
        "job_title": "Volunteer",
        "phone": "020 7946 0000",
        "organisation": str(organisation.pk),
        "new_organisation_name": "",
        "new_organisation_sector": "",
        "password1": "lantern-orchard-velvet-42",
        "password2": "lantern-orchard-velvet-42",
    }


@pytest.fixture
def link_in():
    """The first portal link in an email body, as a path."""

    def find(message, marker):
        match = re.search(r"https?://[^/\s]+(\S*" + re.escape(marker) + r"\S*)", message.body)
        assert match, f"no link containing {marker!r} in:\n{message.body}"
        return match.group(1)

    return find


class CommittingClient(Client):
    """A test client whose requests end as in production: after the request's transaction,
    its on-commit work (the emails) runs. Keeps these tests inside a rolled-back transaction,
    which is much faster than flushing the database after each one."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client():
    return CommittingClient()
