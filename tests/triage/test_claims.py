"""Claim, assign and reassign: two people claiming at once means exactly one wins."""

import threading

import pytest
from django.db import connection

from referrals.models import ReferralEvent
from triage import services
from triage.models import Assignment
from triage.transitions import TransitionError, TransitionForbidden


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_claiming_at_once_exactly_one_wins(make_referral, staff_member):
    workers = [staff_member("oppd", email=f"w{i}@council.example.gov.uk") for i in range(2)]
    for _ in range(5):
        referral = make_referral()
        barrier = threading.Barrier(2)
        results = {}

        def claim(worker):
            try:
                barrier.wait()
                services.referral_claim(referral_id=referral.pk, actor=worker)
                results[worker.pk] = "won"
            except services.AlreadyClaimed as error:
                results[worker.pk] = error.holder
            finally:
                connection.close()

        threads = [threading.Thread(target=claim, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        referral.refresh_from_db()
        winners = [pk for pk, r in results.items() if r == "won"]
        assert len(winners) == 1, results
        loser = next(pk for pk in results if pk not in winners)
        winner = next(w for w in workers if w.pk == winners[0])
        assert results[loser] == winner.full_name  # told who has it
        assert referral.assignee_id == winner.pk
        assert Assignment.objects.filter(referral=referral).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_claim_racing_an_uncommitted_claim_loses(make_referral, staff_member):
    """Deterministic interleaving: the first claim is made but not yet committed when the
    second starts. A read-then-write claim would see nobody holding it and overwrite; the
    conditional UPDATE waits for the first to commit and then matches no row."""
    import time

    from django.db import transaction

    first = staff_member("oppd", email="first@council.example.gov.uk")
    second = staff_member("oppd", email="second@council.example.gov.uk")
    referral = make_referral()
    claimed, results = threading.Event(), {}

    def hold_first():
        try:
            with transaction.atomic():
                services.referral_claim(referral_id=referral.pk, actor=first)
                claimed.set()
                time.sleep(1.0)  # the second claim now waits on this row
            results["first"] = "won"
        finally:
            connection.close()

    def then_second():
        try:
            claimed.wait(5)
            services.referral_claim(referral_id=referral.pk, actor=second)
            results["second"] = "won"
        except services.AlreadyClaimed as error:
            results["second"] = error.holder
        finally:
            connection.close()

    threads = [threading.Thread(target=hold_first), threading.Thread(target=then_second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"first": "won", "second": first.full_name}
    referral.refresh_from_db()
    assert referral.assignee_id == first.pk


@pytest.mark.django_db
def test_claiming_a_held_referral_says_who_has_it(make_referral, staff_member):
    first = staff_member("oppd", email="first@council.example.gov.uk")
    second = staff_member("oppd", email="second@council.example.gov.uk")
    referral = make_referral()
    services.referral_claim(referral_id=referral.pk, actor=first)
    with pytest.raises(services.AlreadyClaimed) as error:
        services.referral_claim(referral_id=referral.pk, actor=second)
    assert error.value.holder == first.full_name
    assert first.full_name in str(error.value)


@pytest.mark.django_db
def test_managers_assign_and_reassign_within_the_team(make_referral, staff_member, oppd_manager,
                                                      mash_worker):
    worker = staff_member("oppd")
    referral = make_referral()
    with pytest.raises(TransitionForbidden):
        services.referral_assign(referral_id=referral.pk, actor=worker, assignee=worker)
    services.referral_assign(referral_id=referral.pk, actor=oppd_manager, assignee=worker)
    services.referral_assign(referral_id=referral.pk, actor=oppd_manager, assignee=oppd_manager)
    referral.refresh_from_db()
    assert referral.assignee == oppd_manager
    with pytest.raises(TransitionError):
        services.referral_assign(referral_id=referral.pk, actor=oppd_manager,
                                 assignee=mash_worker)
    kinds = list(Assignment.objects.filter(referral=referral).values_list("kind", "previous"))
    assert kinds == [("assign", None), ("assign", worker.pk)]
    assert ReferralEvent.objects.filter(referral=referral,
                                        kind="assignment:assign").count() == 2


@pytest.mark.django_db
def test_another_team_cannot_claim(make_referral, mash_worker):
    referral = make_referral()
    with pytest.raises(TransitionForbidden):
        services.referral_claim(referral_id=referral.pk, actor=mash_worker)
