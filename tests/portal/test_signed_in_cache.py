"""The signed-in cache (portal/signed_in.py): a plain signed-in page reads nothing but its own
row from the database, and every change to what the cache holds is seen on the next request."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from accounts.models import TeamMembership
from tests.conftest import otp_login
from tests.factories.referrals import referral_with

pytestmark = [pytest.mark.usefixtures("mfa_enforced"), pytest.mark.urls("tests.portal.bench_urls")]

SAVEPOINT = 2  # ATOMIC_REQUESTS under pytest (BEGIN/COMMIT in production are not counted)


@pytest.fixture
def cache_on(settings):
    settings.SIGNED_IN_CACHE_SECONDS = 60
    settings.SESSION_ENGINE = "portal.session_store"
    caches["signed_in"].clear()
    yield settings
    try:
        caches["signed_in"].clear()
    except Exception:  # noqa: BLE001 (the test below points the cache at nothing)
        pass


@pytest.fixture
def signed_in(cache_on, client, staff_member, referrer):
    worker = staff_member("oppd")
    referral = referral_with(referrer)  # any referral: the bench view reads its row by pk
    url = reverse("bench-minimal", args=[referral.pk])
    otp_login(client, worker)
    assert client.get(url).status_code == 200  # fills the cache, stores the session's clocks
    return worker, url, referral.reference


def test_a_plain_signed_in_page_makes_one_query_its_own(client, signed_in,
                                                         django_assert_num_queries):
    # Without the cache: 5 (session, user, OTP device, role fingerprint, the referral), see
    # tests/portal/test_signed_in_overhead.py.
    _, url, reference = signed_in
    with django_assert_num_queries(1 + SAVEPOINT) as captured:
        response = client.get(url)
    assert response.status_code == 200 and reference.encode() in response.content
    assert '"referrals_referral"' in captured.captured_queries[1]["sql"]


def test_a_warm_request_makes_two_cache_reads_and_no_write(client, signed_in, monkeypatch):
    # The session, then one MGET of the person's generation and entry (three reads before).
    # Counted at the cache's interface (the locmem cache of the tests answers get_many with
    # gets of its own, which are not counted; Redis answers it with one MGET).
    _, url, _ = signed_in
    cache, calls, depth = caches["signed_in"], [], [0]

    def counted(name, original):
        def call(*args, **kwargs):
            if not depth[0]:
                calls.append(name)
            depth[0] += 1
            try:
                return original(*args, **kwargs)
            finally:
                depth[0] -= 1
        return call

    for name in ("get", "get_many", "add", "set", "set_many", "delete", "touch"):
        monkeypatch.setattr(cache, name, counted(name, getattr(cache, name)))
    assert client.get(url).status_code == 200
    assert calls == ["get", "get_many"]


def test_an_entry_stored_under_an_older_generation_is_not_read(client, signed_in):
    worker, url, _ = signed_in
    from portal import signed_in as module

    cache = caches["signed_in"]
    stored = cache.get(module._entry_key(worker.pk))
    assert stored["generation"] == cache.get(module._generation_key(worker.pk))
    TeamMembership.objects.filter(user=worker).update(role="manager")  # no signal
    module.forget(worker.pk)  # as a save would; the entry itself is left in place
    assert cache.get(module._entry_key(worker.pk)) == stored
    response = client.get(url)  # the fingerprint is read again and no longer matches
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_a_role_change_ends_the_session_on_the_next_request(client, signed_in):
    worker, url, _ = signed_in
    membership = TeamMembership.objects.get(user=worker)
    membership.role = "manager"
    membership.save()  # as the admin does
    response = client.get(url)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_a_removed_device_is_no_longer_a_second_factor(client, signed_in):
    worker, url, _ = signed_in
    for device in worker.staticdevice_set.all():
        device.delete()
    response = client.get(url)  # staff without a device are sent to set one up
    assert response.status_code == 302 and "/security/set-up/" in response["Location"]


def test_a_deactivated_person_is_signed_out(client, signed_in):
    worker, url, _ = signed_in
    worker.is_active = False
    worker.save()
    response = client.get(url)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_signing_out_ends_the_cached_session(client, signed_in):
    _, url, _ = signed_in
    session_key = client.session.session_key
    client.post(reverse("accounts:sign-out"))
    client.cookies["sessionid"] = session_key  # replaying the old cookie
    assert client.get(url).status_code == 302



def test_with_redis_unreachable_every_read_falls_back_to_the_database(
        cache_on, client, staff_member, referrer, settings, django_assert_num_queries):
    from django.conf import settings as live

    settings.CACHES = {**live.CACHES, "signed_in": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    worker = staff_member("oppd")
    referral = referral_with(referrer)
    url = reverse("bench-minimal", args=[referral.pk])
    otp_login(client, worker)
    assert client.get(url).status_code == 200
    # The session, the user, the device, the fingerprint and the referral, as without the cache.
    with django_assert_num_queries(5 + SAVEPOINT):
        response = client.get(url)
    assert response.status_code == 200 and referral.reference.encode() in response.content
