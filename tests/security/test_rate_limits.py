"""Rate limits on every form that sends email or creates records (issue 14, attack 4;
portal/ratelimits.py): per account and per address, answered with the service's own 429 page,
with nothing written or sent past the limit."""

import uuid

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import get_resolver, reverse

from outbox.models import Notice
from portal.ratelimits import LIMITS
from referrals import services
from referrals.models import Referral
from tests.referrals.factories import complete_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rate_limits_on")]

PROXY = "10.0.0.2"


class CommittingClient(Client):
    """Requests end as in production: on-commit work (the emails) runs."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def small_limits(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "account_email": ("3/h", "6/h"),
                            "drafts": ("2/h", "20/h"), "messages": ("2/h", "20/h")}
    return settings


@pytest.fixture
def sign_up_form(organisation):
    return {"full_name": "Sam Newcomer", "job_title": "Volunteer", "phone": "",
            "organisation": str(organisation.pk), "new_organisation_name": "",
            "new_organisation_sector": "", "password1": "lantern-orchard-velvet-42",
            "password2": "lantern-orchard-velvet-42"}


def assert_too_many(response, minutes=60):
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sorry, you have tried this too many times" in page
    assert f"Wait {minutes} minutes, then try again" in page
    assert "call 999" in page
    assert "govuk-header" in page  # the service's own layout
    assert response["Retry-After"] == str(minutes * 60)


def test_every_limited_url_name_exists():
    names = {f"{ns}:{name}" for ns, (_, resolver) in get_resolver().namespace_dict.items()
             for name in resolver.reverse_dict if isinstance(name, str)}
    assert set(LIMITS) <= names, set(LIMITS) - names


def test_password_reset_emails_to_one_address_stop_at_the_limit(small_limits, referrer):
    client = CommittingClient()
    for n in range(3):
        response = client.post(reverse("accounts:password-reset"), {"email": referrer.email},
                               REMOTE_ADDR=f"192.0.2.{n}")
        assert response.status_code == 302
    # Different addresses, different capitalisation: still the same account.
    assert_too_many(client.post(reverse("accounts:password-reset"),
                                {"email": referrer.email.upper()}, REMOTE_ADDR="192.0.2.9"))
    assert len(mail.outbox) == 3


def test_sign_ups_from_one_address_stop_at_the_address_limit(small_limits, sign_up_form):
    client = CommittingClient()
    for n in range(6):
        response = client.post(reverse("accounts:sign-up"),
                               {**sign_up_form, "email": f"new{n}@example.org"},
                               REMOTE_ADDR="192.0.2.1")
        assert response.status_code == 302
    assert_too_many(client.post(reverse("accounts:sign-up"),
                                {**sign_up_form, "email": "new9@example.org"},
                                REMOTE_ADDR="192.0.2.1"))
    assert len(mail.outbox) == 6
    # Someone else, through the same trusted proxy but from another client, is not affected.
    small_limits.TRUSTED_PROXIES = [PROXY]
    response = client.post(reverse("accounts:sign-up"),
                           {**sign_up_form, "email": "colleague@example.org"},
                           REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert response.status_code == 302


def test_resending_a_confirmation_link_is_limited_per_address_typed(small_limits, sign_up_form):
    client = CommittingClient()
    # Signing up counts too: it sent the first link to this address.
    client.post(reverse("accounts:sign-up"), {**sign_up_form, "email": "new@example.org"})
    for _ in range(2):
        client.post(reverse("accounts:verify-resend"), {"email": "new@example.org"})
    assert_too_many(client.post(reverse("accounts:verify-resend"), {"email": "new@example.org"}))
    assert len(mail.outbox) == 3


def test_drafts_are_limited_per_person(small_limits, referrer):
    client = CommittingClient()
    client.force_login(referrer)
    for _ in range(2):
        assert client.post(reverse("referrals:start"), {"urgent": "no"}).status_code == 302
    assert_too_many(client.post(reverse("referrals:start"), {"urgent": "no"}))
    assert Referral.objects.filter(referrer=referrer).count() == 2


def test_adding_information_is_limited_per_person(small_limits, referrer, teams):
    referral = services.referral_submit(referral=complete_draft(referrer), actor=referrer,
                                        submission_key=uuid.uuid4())
    client = CommittingClient()
    client.force_login(referrer)
    url = reverse("feedback:add-information", args=[referral.pk])
    for n in range(2):
        assert client.post(url, {"text": f"More news {n}."}).status_code == 302
    notices = Notice.objects.count()
    assert_too_many(client.post(url, {"text": "And more."}))
    assert Notice.objects.count() == notices  # nobody was emailed about the refused post


def test_the_limits_can_be_off_as_in_other_tests(small_limits, referrer):
    small_limits.RATELIMIT_ENABLE = False
    client = CommittingClient()
    for _ in range(5):
        assert client.post(reverse("accounts:password-reset"),
                           {"email": referrer.email}).status_code == 302


def test_production_settings_turn_the_limits_on_in_a_shared_cache():
    """Off only in the test settings: production counts in Redis, one count for every web
    process, and locks sign-in by account and address together behind the trusted proxy."""
    import subprocess
    import sys

    from tests.security.test_headers import ROOT, production_env

    code = (
        "from django.conf import settings as s;"
        "print(s.RATELIMIT_ENABLE, s.CACHES[s.RATELIMIT_USE_CACHE]['BACKEND'].rsplit('.', 1)[1],"
        " 'portal.ratelimits.RateLimitMiddleware' in s.MIDDLEWARE,"
        " s.AXES_LOCKOUT_PARAMETERS == [['username', 'ip_address']], s.TRUSTED_PROXIES)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT,
        env=production_env(REDIS_URL="redis://redis.example:6379/0", TRUSTED_PROXIES="10.0.0.2"),
        capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.split() == ["True", "RedisCache", "True", "True", "['10.0.0.2']"], (
        result.stderr)
