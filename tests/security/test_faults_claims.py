"""Two people claiming the same referral at once, through the claim page (HTTP, real
PostgreSQL, one database connection per person): exactly one owner, the other is told who has
it, and the audit shows one claim. Also with the winner's database connection killed in the
middle of its claim (pg_terminate_backend): the claim it had made is rolled back, the other
person gets the referral, and nobody holds it twice.
"""

import threading
import uuid

import psycopg2
import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import TeamMembership
from audit.models import AuditEvent
from referrals import services
from referrals.models import Referral, ReferralEvent
from tests.conftest import otp_login
from tests.referrals.factories import complete_draft
from triage.models import Assignment

from .fault_backends import WAIT_SECONDS, database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(make_user, teams, mfa_enforced):
    people = []
    for email, name in (("ada@council.example.gov.uk", "Ada Achebe"),
                        ("ben@council.example.gov.uk", "Ben Bowe")):
        user = make_user(email, name)
        TeamMembership.objects.create(user=user, team=teams["oppd"], role="triage")
        client = otp_login(Client(), user)
        # The test client hears every request's exception (a process-wide signal), so one
        # person's error page would be raised in the other's thread: we read status codes.
        client.raise_request_exception = False
        people.append((user, client))
    return people


def submitted(referrer) -> Referral:
    draft = complete_draft(referrer)
    with transaction.atomic():
        return services.referral_submit(referral=draft, actor=referrer,
                                        submission_key=uuid.uuid4())


def claims_on_record(referral) -> list:
    """(actor, allowed) of every audited claim of the referral."""
    return list(AuditEvent.objects.filter(action="referral.claimed", referral_id=referral.pk)
                .values_list("actor_id", "allowed"))


def page(client, referral) -> str:
    return client.get(reverse("triage:referral", args=[referral.pk])).content.decode()


def test_two_people_claiming_at_once_through_the_page_one_wins(referrer, workers):
    for _ in range(3):
        referral = submitted(referrer)
        url = reverse("triage:claim", args=[referral.pk])
        barrier = threading.Barrier(2)
        responses, errors = {}, []

        def claim(user, client, url=url, barrier=barrier, responses=responses, errors=errors):
            try:
                barrier.wait()
                responses[user.pk] = client.post(url)
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=claim, args=person) for person in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=WAIT_SECONDS)
        assert not errors, errors
        assert {r.status_code for r in responses.values()} == {302}

        referral.refresh_from_db()
        (winner, winner_client), = [p for p in workers if p[0].pk == referral.assignee_id]
        (loser, loser_client), = [p for p in workers if p[0].pk != referral.assignee_id]
        assert f"You have taken referral {referral.reference}." in page(winner_client, referral)
        assert f"{winner.full_name} has already taken this referral." in page(loser_client,
                                                                              referral)
        assert claims_on_record(referral) == [(winner.pk, True)]
        assert list(Assignment.objects.filter(referral=referral)
                    .values_list("assignee_id", flat=True)) == [winner.pk]
        assert ReferralEvent.objects.filter(referral=referral,
                                            kind="assignment:claim").count() == 1


def test_a_claim_whose_database_connection_dies_midway_leaves_one_owner(referrer, workers):
    """Ada's claim has won the row (her UPDATE holds its lock) and is writing the assignment
    when her connection is killed; Ben's claim is waiting on that lock. Ada gets the error
    page and her claim is rolled back; Ben's claim then goes through; Ada, trying again, is
    told Ben has it."""
    (ada, ada_client), (ben, ben_client) = workers
    referral = submitted(referrer)
    url = reverse("triage:claim", args=[referral.pk])
    killer = psycopg2.connect(database_url())
    killer.autocommit = True
    ada_won_row, seen, responses, errors = threading.Event(), {}, {}, []

    def cut_adas_line(execute, sql, params, many, context):
        if "ada" not in seen and sql.startswith('INSERT INTO "triage_assignment"'):
            seen["ada"] = True
            ada_won_row.set()
            pid = context["connection"].connection.get_backend_pid()
            with killer.cursor() as cursor:
                # Wait (polling, no timing assumption) until Ben's UPDATE waits on our lock.
                for _ in range(WAIT_SECONDS * 10):
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                        "current_database() AND wait_event_type = 'Lock' AND pid <> %s", [pid])
                    if cursor.fetchone()[0]:
                        seen["ben_waiting"] = True
                        break
                    threading.Event().wait(0.1)
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        return execute(sql, params, many, context)

    def ada_claims():
        try:
            with connection.execute_wrapper(cut_adas_line):
                responses["ada"] = ada_client.post(url)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            ada_won_row.set()
            connection.close()

    def ben_claims():
        try:
            ada_won_row.wait(WAIT_SECONDS)
            responses["ben"] = ben_client.post(url)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=ada_claims), threading.Thread(target=ben_claims)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=WAIT_SECONDS * 2)
    finally:
        killer.close()
    assert not errors, errors
    assert seen == {"ada": True, "ben_waiting": True}

    assert responses["ada"].status_code == 500
    body = responses["ada"].content.decode()
    assert "Sorry, there is a problem with the service" in body and "Traceback" not in body
    assert responses["ben"].status_code == 302
    referral.refresh_from_db()
    assert referral.assignee_id == ben.pk
    assert claims_on_record(referral) == [(ben.pk, True)]
    assert list(Assignment.objects.filter(referral=referral)
                .values_list("assignee_id", flat=True)) == [ben.pk]

    # Ada tries again: a clear message, and still one owner and one claim.
    retry = ada_client.post(url)
    assert retry.status_code == 302
    assert f"{ben.full_name} has already taken this referral." in page(ada_client, referral)
    referral.refresh_from_db()
    assert referral.assignee_id == ben.pk
    assert claims_on_record(referral) == [(ben.pk, True)]
    assert ReferralEvent.objects.filter(referral=referral, kind="assignment:claim").count() == 1
