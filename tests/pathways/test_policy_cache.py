"""The per-process copy of the clock policies and closure days (pathways.policies).

A changed policy or closure day must reach the next clock at once in the process that saved
it (the admin's), whatever the cache: correctness first, speed second.
"""

from datetime import date

import pytest

from pathways import policies
from pathways.deadlines import deadline_open
from pathways.models import ClockPolicy, ClosureDay

from .conftest import ldt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cached(settings):
    settings.CLOCK_SETTINGS_CACHE_SECONDS = 60
    policies.clock_settings_forget()
    yield
    policies.clock_settings_forget()


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user("admin@council.example.gov.uk", "Council Admin", is_council_admin=True,
                      is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def _warm():
    policies.working_calendar()
    policies.policy_rule("mash", "mash_decision")


def test_a_warm_process_reads_neither_table(django_assert_num_queries):
    _warm()
    with django_assert_num_queries(0):
        calendar = policies.working_calendar()
        rule = policies.policy_rule("mash", "mash_decision")
        amber = policies.policy_rule("mash", "rag", "amber")
    assert calendar.is_working_day(date(2026, 3, 3))
    assert rule == ClockPolicy.objects.get(pathway="mash", kind="mash_decision").to_rule()
    assert amber == ClockPolicy.objects.get(pathway="mash", kind="rag", variant="amber").to_rule()


def test_the_cached_rules_are_the_rows_for_every_clock():
    for policy in ClockPolicy.objects.all():
        assert policies.policy_rule(policy.pathway, policy.kind, policy.variant) == policy.to_rule()


def test_a_policy_saved_in_admin_reaches_the_next_clock_at_once(admin_client, make_referral):
    policy = ClockPolicy.objects.get(pathway="mash", kind="mash_decision")
    first = deadline_open(referral=make_referral("mash"), kind="mash_decision",
                          starts=ldt(2026, 3, 2, 10))
    assert first.due_at == ldt(2026, 3, 3, 10)  # 8 working hours, read into the cache
    response = admin_client.post(
        f"/admin/pathways/clockpolicy/{policy.pk}/change/",
        {"amount": "4", "unit": "working_hours", "warning_amount": "1",
         "warning_unit": "working_hours", "warning_anchor": "before_due"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    second = deadline_open(referral=make_referral("mash"), kind="mash_decision",
                           starts=ldt(2026, 3, 2, 10))
    assert second.due_at == ldt(2026, 3, 2, 14)


def test_a_closure_day_added_and_deleted_in_admin_moves_the_next_clock(admin_client,
                                                                        make_referral):
    def due():
        return deadline_open(referral=make_referral("mash"), kind="mash_decision",
                             starts=ldt(2026, 3, 2, 10)).due_at

    assert due() == ldt(2026, 3, 3, 10)
    response = admin_client.post("/admin/pathways/closureday/add/",
                                 {"date": "2026-03-03", "name": "Council training day"})
    assert response.status_code == 302
    assert due() == ldt(2026, 3, 4, 10)
    closure = ClosureDay.objects.get()
    response = admin_client.post(f"/admin/pathways/closureday/{closure.pk}/delete/",
                                 {"post": "yes"})
    assert response.status_code == 302
    assert due() == ldt(2026, 3, 3, 10)


def test_the_copy_is_forgotten_again_when_the_change_commits(
        django_capture_on_commit_callbacks):
    _warm()
    with django_capture_on_commit_callbacks() as callbacks:
        ClosureDay.objects.create(date=date(2026, 3, 3), name="Council training day")
        _warm()  # another reader in this process, before the commit
    assert policies._cache
    for callback in callbacks:
        callback()
    assert not policies._cache


def test_a_change_without_a_signal_is_seen_after_the_ttl(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(policies.time, "monotonic", lambda: clock[0])
    assert policies.policy_rule("mash", "mash_decision").amount == 8
    ClockPolicy.objects.filter(pathway="mash", kind="mash_decision").update(amount=4)
    clock[0] += 59
    assert policies.policy_rule("mash", "mash_decision").amount == 8  # within the TTL
    clock[0] += 1
    assert policies.policy_rule("mash", "mash_decision").amount == 4


def test_without_a_ttl_every_call_reads_the_database(settings, django_assert_num_queries):
    settings.CLOCK_SETTINGS_CACHE_SECONDS = 0
    _warm()
    with django_assert_num_queries(2):
        _warm()
