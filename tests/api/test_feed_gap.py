"""The events feed never passes over an event that commits late (issue 17: "a client that was
down catches up without gaps"), and a re-route is told to the pathway it left."""

import threading

import pytest
from django.db import connection, transaction

from api.services import endpoint_register
from outbox.models import WebhookDelivery
from tests.factories.referrals import referral_with
from tests.factories.triage import decide, reroute, worker


def feed(client, headers, cursor=None) -> tuple[list[dict], str]:
    """Every event the feed serves now, from `cursor`, and the cursor to keep."""
    seen = []
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/v1/events/", params, **headers)
        assert response.status_code == 200, response.content
        page = response.json()
        seen += page["events"]
        if page["next_cursor"] == cursor:
            return seen, cursor
        cursor = page["next_cursor"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_that_commits_after_a_higher_one_is_still_served(client, register, bearer,
                                                                  referrer):
    """Two real transactions: the first takes the lower event id and commits last; a client
    reads the feed between the two commits and must still get both from its cursor."""
    first = referral_with(referrer, pathway="oppd")
    second = referral_with(referrer, pathway="oppd")
    api_client, secret = register(scopes=["events:read"])
    headers = bearer(api_client, secret)
    _, cursor = feed(client, headers)
    oppd_worker = worker(first)  # made (and committed) once, before the two transactions

    written, release, errors = threading.Event(), threading.Event(), []

    def decide_and_hold():
        try:
            with transaction.atomic():
                decide(first, actor=oppd_worker)
                written.set()
                assert release.wait(timeout=60)
        except Exception as error:  # reported below
            errors.append(error)
            written.set()
        finally:
            connection.close()

    holder = threading.Thread(target=decide_and_hold)
    holder.start()
    try:
        assert written.wait(timeout=60) and not errors
        decide(second, actor=oppd_worker)  # commits first, with higher ids
        between, cursor = feed(client, headers, cursor)
    finally:
        release.set()
        holder.join(timeout=60)
    assert not errors
    after, cursor = feed(client, headers, cursor)

    decided = {e["referral"]["id"] for e in between + after if e["type"] == "referral.decided"}
    assert decided == {first.pk, second.pk}
    ids = [e["id"] for e in between + after]
    assert ids == sorted(set(ids))  # in id order, none twice


@pytest.mark.django_db
def test_the_pathway_a_referral_left_hears_of_the_reroute_and_nothing_after(
        client, register, bearer, referrer, council_admin):
    referral = referral_with(referrer, pathway="oppd")
    oppd_client, secret = register(name="Mosaic (adults)", pathways=["oppd"])
    endpoint_register(client=oppd_client, url="https://cms.example/hooks", event_types=[],
                      actor=council_admin)
    referral = reroute(referral, "mash")
    decide(referral)  # by the MASH team: not the adults' system's business
    events, _ = feed(client, bearer(oppd_client, secret))
    # Read now, its earlier events have gone with the referral; the re-route stays, as the last.
    assert [e["type"] for e in events] == ["referral.rerouted"]
    assert (events[0]["referral"]["id"], events[0]["referral"]["pathway"]) == (referral.pk, "mash")
    assert list(WebhookDelivery.objects.filter(endpoint__pathways=["oppd"])
                .order_by("pk").values_list("event_type", flat=True)) == ["referral.rerouted"]
    assert "Mary" not in str(events)
