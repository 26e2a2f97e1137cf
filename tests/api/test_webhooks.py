"""Signed webhooks through the outbox (issue 17): written with the change, sent by the worker's
code (outbox.webhooks.webhooks_send_now), verified by a loopback receiver, in order within a
referral, retried with back-off, failed visibly and replayed from the admin."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from api.services import client_suspend, endpoint_register
from audit.models import AuditEvent
from core.vocabulary import AuditAction
from outbox.models import NoticeStatus, WebhookDelivery
from outbox.webhooks import retry_delay, webhooks_requeue_due, webhooks_send_now
from tests.factories.referrals import referral_with
from tests.factories.triage import decide

from .receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server


@pytest.fixture
def endpoint(register, council_admin, receiver):
    api_client, _secret = register()
    endpoint, secret = endpoint_register(client=api_client, url=receiver.url, event_types=[],
                                         actor=council_admin)
    receiver.secret = secret
    endpoint.api_client = api_client
    return endpoint


def pending(**filters):
    return list(WebhookDelivery.objects.filter(status=NoticeStatus.PENDING, **filters)
                .order_by("pk").values_list("pk", flat=True))


def test_each_change_writes_a_signed_delivery_with_no_personal_data(endpoint, receiver,
                                                                    referrer):
    referral = referral_with(referrer, pathway="oppd")
    decide(referral)
    ids = pending(referral_id=referral.pk)
    assert [WebhookDelivery.objects.get(pk=i).event_type for i in ids] == [
        "referral.created", "referral.decided"]
    assert webhooks_send_now(ids) == {}
    assert [r["valid"] for r in receiver.received] == [True, True]
    bodies = receiver.bodies()
    assert [b["type"] for b in bodies] == ["referral.created", "referral.decided"]
    assert bodies[1]["referral"] == {"id": referral.pk, "reference": referral.reference,
                                     "pathway": "oppd", "status": "enquiry"}
    assert bodies[1]["id"] == ids[1] and receiver.received[1]["id"] == str(ids[1])
    assert "Mary" not in str(bodies) and "Example Road" not in str(bodies)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {NoticeStatus.SENT}
    # A second run (a duplicate message) sends nothing again.
    webhooks_send_now(ids)
    assert len(receiver.received) == 2


def test_a_wrong_secret_or_an_old_timestamp_fails_verification(endpoint, receiver, referrer):
    from outbox.webhooks import signature_valid

    referral_with(referrer, pathway="oppd")
    delivery = WebhookDelivery.objects.get()
    from outbox.webhooks import request_for

    now = timezone.now()
    body, headers = request_for(delivery, now=now)
    stamp = headers["Webhook-Timestamp"]
    assert signature_valid(receiver.secret, stamp, body, headers["Webhook-Signature"])
    assert not signature_valid("whsec_wrong", stamp, body, headers["Webhook-Signature"])
    assert not signature_valid(receiver.secret, stamp, body + b" ", headers["Webhook-Signature"])
    assert not signature_valid(receiver.secret, stamp, body, headers["Webhook-Signature"],
                               now=now.timestamp() + 3600)


def test_a_rolled_back_change_writes_no_delivery(endpoint, referrer):
    referral = referral_with(referrer, pathway="oppd")
    before = WebhookDelivery.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        decide(referral)
        raise RuntimeError("the change fails after the record")
    assert WebhookDelivery.objects.count() == before


def test_a_later_delivery_waits_for_an_earlier_one_about_the_same_referral(endpoint, receiver,
                                                                           referrer):
    referral = referral_with(referrer, pathway="oppd")
    decide(referral)
    created, decided_ = pending(referral_id=referral.pk)
    retries = webhooks_send_now([decided_])
    assert decided_ in retries and receiver.received == []
    assert WebhookDelivery.objects.get(pk=decided_).attempts == 0  # waiting is not a try
    webhooks_send_now([decided_, created])
    assert [b["type"] for b in receiver.bodies()] == ["referral.created", "referral.decided"]


def test_only_the_clients_pathways_and_event_types_and_never_when_suspended(
        register, council_admin, receiver, referrer):
    mash_client, _ = register(name="MASH system", pathways=["mash"])
    endpoint_register(client=mash_client, url=receiver.url, event_types=[], actor=council_admin)
    picky, _ = register(name="Decisions only")
    endpoint_register(client=picky, url=receiver.url, event_types=["referral.decided"],
                      actor=council_admin)
    paused, _ = register(name="Paused")
    endpoint_register(client=paused, url=receiver.url, event_types=[], actor=council_admin)
    client_suspend(client=paused, actor=council_admin)
    referral = referral_with(referrer, pathway="oppd")
    decide(referral)
    rows = list(WebhookDelivery.objects.values_list("endpoint__application_id", "event_type"))
    assert rows == [(picky.application_id, "referral.decided")]


def test_failures_back_off_then_fail_visibly_and_are_replayed_from_the_admin(
        settings, endpoint, receiver, referrer, client, make_user):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    referral_with(referrer, pathway="oppd")
    delivery = WebhookDelivery.objects.get()
    url = endpoint.url
    endpoint.url = "http://127.0.0.1:9/closed"  # the discard port: nothing listens
    endpoint.save()
    now = timezone.now()
    delays = [webhooks_send_now([delivery.pk], now=now).get(delivery.pk) for _ in range(3)]
    assert delays == [retry_delay(1), retry_delay(2), None]
    assert delays[1] == 2 * delays[0]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (NoticeStatus.FAILED, 3)
    assert delivery.last_error
    boss = make_user("root@council.example.gov.uk", "Root Admin", is_council_admin=True,
                     is_staff=True, is_superuser=True)
    client.force_login(boss)
    listing = client.get("/admin/outbox/webhookdelivery/", {"status__exact": "failed"})
    assert listing.status_code == 200 and "referral.created" in listing.content.decode()
    endpoint.url = url
    endpoint.save()
    response = client.post("/admin/outbox/webhookdelivery/",
                           {"action": "replay", "_selected_action": [delivery.pk]})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (NoticeStatus.PENDING, 0)
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_REPLAYED,
                                     actor=boss).count() == 1
    webhooks_send_now([delivery.pk])
    assert [r["valid"] for r in receiver.received] == [True]


def test_the_requeue_sweep_hands_back_a_lost_delivery(endpoint, referrer, monkeypatch):
    handed = []
    monkeypatch.setattr("outbox.webhooks.webhooks_enqueue", lambda ids, **kw: handed.extend(ids))
    referral_with(referrer, pathway="oppd")
    delivery = WebhookDelivery.objects.get()
    assert webhooks_requeue_due(now=timezone.now()) == 0  # not overdue yet
    assert webhooks_requeue_due(now=timezone.now() + timedelta(hours=1)) == 1
    assert handed == [delivery.pk]


def test_the_cached_none_listening_flag_never_hides_a_new_or_resumed_endpoint(
        register, council_admin, receiver, referrer, django_assert_num_queries):
    """Issue 19: with no endpoint, a recorded event reads no endpoints (a cached flag); an
    endpoint registered, or its client resumed, is heard of from the next change on."""
    from api.services import client_resume
    from outbox.webhooks import webhooks_listening, webhooks_listening_forget

    webhooks_listening_forget()  # an earlier test's endpoint, rolled back, left "listening"
    referral_with(referrer, pathway="oppd")  # nothing listens: the flag is cached
    with django_assert_num_queries(0):
        assert webhooks_listening() is False
    api_client, _ = register()
    endpoint_register(client=api_client, url=receiver.url, event_types=[], actor=council_admin)
    referral_with(referrer, pathway="oppd")
    assert [e for (e,) in WebhookDelivery.objects.values_list("event_type")] == [
        "referral.created"]
    client_suspend(client=api_client, actor=council_admin)  # a QuerySet.update: no signal
    assert webhooks_listening() is False
    referral_with(referrer, pathway="oppd")
    assert WebhookDelivery.objects.count() == 1
    client_resume(client=api_client, actor=council_admin)
    referral_with(referrer, pathway="oppd")
    assert WebhookDelivery.objects.count() == 2
