"""The bench seeder at a tiny size: it must keep working as other apps add columns.

Timings are never asserted here (they live in bench/); only that the seeded data is whole
and has the mix the benchmark relies on.
"""

import pytest
from django.db import connection
from django.utils import timezone

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def people():
    from bench import seed

    return seed.people_ensure(timezone.now())


def _count(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_seeds_200_referrals_with_their_timelines_clocks_and_notices(people):
    from bench import seed
    from referrals.models import Referral

    inserted = seed.referrals_grow(people, to=200, now=timezone.now())

    assert inserted == 200
    assert Referral.objects.count() == 200
    submitted = Referral.objects.exclude(status="draft")
    assert set(Referral.objects.values_list("pathway", flat=True)) == {
        "oppd", "mental-health", "learning-disabilities", "mash"}
    assert Referral.objects.filter(status="closed").exists()
    # Realistic names: the duplicate search's trigram index must see varied names.
    assert Referral.objects.values("person_name").distinct().count() > 150
    assert submitted.filter(team__isnull=True).count() == 0
    # Every submitted referral has its submission event, decision clock, acknowledgement,
    # and its team's two object permissions.
    n = submitted.count()
    assert _count("SELECT count(*) FROM referrals_referralevent WHERE kind = 'submitted'") == n
    assert _count("SELECT count(DISTINCT referral_id) FROM pathways_deadline "
                  "WHERE kind IN ('concern_decision', 'mash_decision')") == n
    assert _count("SELECT count(*) FROM feedback_notice WHERE kind = 'acknowledgement'") == n
    assert _count("SELECT count(*) FROM referrals_referralgroupobjectpermission") == 2 * n
    # Clocks are consistent: nothing met before it started, no breach recorded before due.
    assert _count("SELECT count(*) FROM pathways_deadline WHERE met_at < starts_at") == 0
    assert _count("SELECT count(*) FROM pathways_deadline WHERE breached_at < due_at") == 0
    # The queue's columns are what the clock services would have left: the first running
    # clock's due time and pause, NULL without one.
    _assert_next_clocks_match_the_deadlines()


def _assert_next_clocks_match_the_deadlines():
    from referrals.models import Referral

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, r.next_due_at, r.next_paused_at, d.due_at, d.paused_at "
            "FROM referrals_referral r LEFT JOIN LATERAL (SELECT due_at, paused_at "
            "FROM pathways_deadline WHERE referral_id = r.id AND met_at IS NULL "
            "AND cancelled_at IS NULL ORDER BY due_at, id LIMIT 1) d ON true")
        rows = cursor.fetchall()
    assert len(rows) == Referral.objects.count()
    wrong = [row[0] for row in rows if (row[1], row[2]) != (row[3], row[4])]
    assert wrong == []
    assert any(row[1] is not None for row in rows) and any(row[1] is None for row in rows)


def test_a_bulk_step_rebuilds_every_index_it_dropped(people):
    from bench import seed

    def indexes():
        return _count("SELECT count(*) FROM pg_indexes WHERE tablename = ANY(%s)",
                      (seed.seeded_tables(),))

    before = indexes()
    seed.referrals_grow(people, to=150, now=timezone.now(), bulk=True)

    assert indexes() == before
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
    # Foreign keys hold even though their triggers were skipped.
    assert _count("SELECT count(*) FROM referrals_referralevent e LEFT JOIN referrals_referral r "
                  "ON r.id = e.referral_id WHERE r.id IS NULL") == 0
    _assert_next_clocks_match_the_deadlines()


def test_growing_a_tier_only_adds_the_new_ids(people):
    from bench import seed
    from referrals.models import Referral

    now = timezone.now()
    seed.referrals_grow(people, to=120, now=now)
    first = dict(Referral.objects.filter(pk__lte=120).values_list("pk", "status"))

    assert seed.referrals_grow(people, to=200, now=now) == 80
    assert seed.referrals_grow(people, to=200, now=now) == 0
    assert dict(Referral.objects.filter(pk__lte=120).values_list("pk", "status")) == first
    assert Referral.objects.count() == 200
    # The id sequence moved past the explicit ids: the ORM can still create referrals.
    created = Referral.objects.create(  # planted: a plain ORM insert is what this checks
        reference="ORM-AFTER", referrer_id=people.referrer_ids[0])
    assert created.pk > 200


def test_a_required_column_without_a_default_is_named():
    from bench.sqlfill import SeedError, insert_select
    from referrals.models import ReferralEvent

    with pytest.raises(SeedError, match="ReferralEvent.referral"):
        insert_select(ReferralEvent, {"kind": "'x'"}, "FROM generate_series(1, 1) g")
