"""Signed webhooks to case-management systems: the outbox's second kind of row (issue 17).

The same contract as notices (outbox/send.py): `webhooks_queue` writes WebhookDelivery rows in
the transaction of the change (referrals.record calls it for every timeline event), the ids go
to the broker after commit, and the worker (`webhooks_send_now`, through the task in
outbox/tasks.py) posts each one inside a transaction that holds its row (SELECT ... FOR UPDATE
SKIP LOCKED), so a killed worker's batch is rolled back and redelivered, never half-recorded.
Failures back off exponentially; after WEBHOOK_MAX_ATTEMPTS a delivery is FAILED, listed in the
admin, and can be replayed there. The requeue sweep (notices_requeue, every minute) also hands
the broker any delivery a lost message left pending.

Order within a referral: a delivery waits while an earlier one to the same endpoint about the
same referral is still pending, so a receiver sees "decided" after "submitted".

Signature (docs/api.md): headers `Webhook-Id` (the delivery id; a receiver de-duplicates on
it), `Webhook-Timestamp` (Unix seconds) and `Webhook-Signature: v1=<hex>`, the HMAC-SHA256 of
`{timestamp}.{body}` under the endpoint's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError as KombuOperationalError

from core.vocabulary import EventKind

from .models import NoticeStatus, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

# Which timeline kinds a system hears of, and the event type it sees (docs/api.md). Assignment,
# notes and links are staff's internal work and are not sent.
EVENT_TYPES = {
    EventKind.SUBMITTED: "referral.created",
    EventKind.RAG_RATED: "referral.rag_rated",
    EventKind.DECIDED: "referral.decided",
    EventKind.INFO_REQUESTED: "referral.info_requested",
    EventKind.INFO_RECEIVED: "referral.info_received",
    EventKind.INFORMATION_ADDED: "referral.information_added",
    EventKind.REROUTED: "referral.rerouted",
    EventKind.PLAN_STARTED: "referral.plan_started",
    EventKind.CLOSED: "referral.closed",
    EventKind.WITHDRAWN: "referral.withdrawn",
    EventKind.MERGED: "referral.merged",
    EventKind.HANDED_OVER: "referral.handed_over",
}
SIGNATURE_VERSION = "v1"


def secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """`v1=<hex>`: HMAC-SHA256 of b"{timestamp}." + body under the endpoint's secret."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={mac.hexdigest()}"


def signature_valid(secret: str, timestamp: str, body: bytes, header: str, *,
                    now: float | None = None, tolerance: int = 300) -> bool:
    """What a receiver checks (the test receiver uses this; docs/api.md shows it standalone)."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except (TypeError, ValueError):
        return False
    return age <= tolerance and hmac.compare_digest(signature(secret, timestamp, body), header)


# --- is anything listening? (issue 19: a SELECT per recorded event otherwise) -------------------

# Most councils register no endpoint, so "none is active" is kept in the cache under a
# generation number that every save or delete of an endpoint bumps, now and again on commit
# (a reader that queried before the commit then writes its stale answer under the old
# generation, which nobody reads). Writes without a signal (QuerySet.update) call
# webhooks_listening_forget themselves; raw SQL is bounded by WEBHOOK_LISTENING_CACHE_SECONDS.
# Only "none" saves anything: when one listens, webhooks_queue reads the endpoints anyway.
_GENERATION_KEY = "webhooks:listening:generation"


def _listening_cache():
    from django.core.cache import caches

    return caches["default"]


def webhooks_listening() -> bool:
    """Whether any endpoint is active (an over-estimate is harmless, an under-estimate never
    outlives an endpoint's save)."""
    seconds = getattr(settings, "WEBHOOK_LISTENING_CACHE_SECONDS", 60)
    try:
        cache = _listening_cache()
        generation = cache.get(_GENERATION_KEY, 0) if seconds > 0 else None
        cached = cache.get(f"webhooks:listening:{generation}") if seconds > 0 else None
    except Exception:  # the cache is down: ask the database, as before
        log.warning("webhook listening flag: cache unavailable", exc_info=True)
        seconds, cached = 0, None
    if cached is not None:
        return cached
    listening = WebhookEndpoint.objects.filter(active=True, client_suspended=False).exists()
    if seconds > 0:
        try:
            cache.set(f"webhooks:listening:{generation}", listening, seconds)
        except Exception:
            log.warning("webhook listening flag: cache unavailable", exc_info=True)
    return listening


def _bump() -> None:
    try:
        cache = _listening_cache()
        cache.add(_GENERATION_KEY, 0, None)
        cache.incr(_GENERATION_KEY)
    except Exception:
        log.warning("webhook listening flag: cache unavailable", exc_info=True)


def webhooks_listening_forget(**kwargs) -> None:
    """After any change to endpoints: forget the flag now and once the change commits."""
    _bump()
    transaction.on_commit(_bump)


# --- write (in the change's transaction) --------------------------------------------------------

def payload_for(*, event, referral, event_type: str) -> dict:
    """Ids and vocabulary words only: never the person's details (the client reads the
    referral document through the API, which audits the read)."""
    return {
        "type": event_type,
        "event_id": event.pk,
        "occurred_at": event.at.isoformat(),
        "referral": {"id": referral.pk, "reference": referral.reference or "",
                     "pathway": referral.pathway, "status": referral.status},
        "from_status": event.from_status,
        "to_status": event.to_status,
    }


def webhooks_queue(events: Iterable) -> list[int]:
    """Write a delivery for every active endpoint that hears of each event, in the caller's
    transaction; hand their ids to the broker after commit. No SELECT when nothing listens (the
    cached flag, webhooks_listening); one when something does."""
    wanted = [e for e in events if EventKind(e.kind) in EVENT_TYPES]
    if not wanted or not webhooks_listening():
        return []
    endpoints = list(WebhookEndpoint.objects.filter(active=True, client_suspended=False)
                     .only("pk", "event_types", "pathways"))
    if not endpoints:
        return []
    rows = []
    for event in wanted:
        referral = event.referral
        event_type = EVENT_TYPES[EventKind(event.kind)]
        # A re-route is also told to the pathway it left: that system stops seeing the referral.
        pathways = {referral.pathway}
        if event.kind == EventKind.REROUTED and event.detail.get("from_pathway"):
            pathways.add(event.detail["from_pathway"])
        for endpoint in endpoints:
            if not pathways.intersection(endpoint.pathways):
                continue
            if endpoint.event_types and event_type not in endpoint.event_types:
                continue
            rows.append(WebhookDelivery(
                endpoint_id=endpoint.pk, event_id=event.pk, referral_id=referral.pk,
                event_type=event_type,
                payload=payload_for(event=event, referral=referral, event_type=event_type),
            ))
    if not rows:
        return []
    ids = [row.pk for row in WebhookDelivery.objects.bulk_create(rows)]
    transaction.on_commit(partial(webhooks_enqueue, ids))
    return ids


# --- hand to the broker -------------------------------------------------------------------------

def webhooks_enqueue(ids: list[int], *, countdown: int | None = None) -> None:
    """Hand committed deliveries to the broker by id, NOTICE_SEND_BATCH a task. An outage
    leaves them to the requeue sweep (the change that owes them has committed)."""
    from .tasks import webhooks_send

    size = max(settings.NOTICE_SEND_BATCH, 1)
    for start in range(0, len(ids), size):
        try:
            webhooks_send.apply_async((ids[start:start + size],), countdown=countdown)
        except (KombuOperationalError, OSError) as error:
            log.warning("%s webhook deliveries not queued (%s); the requeue sweep will send them",
                        len(ids) - start, type(error).__name__)
            return


def webhooks_requeue_due(*, now: datetime, batch: int | None = None) -> int:
    """Pending deliveries whose next try is well past (a lost message): claimed with SKIP
    LOCKED, pushed forward, and handed to the broker again."""
    batch = batch or settings.NOTICE_REQUEUE_BATCH
    cutoff = now - timedelta(minutes=settings.NOTICE_REQUEUE_AFTER_MINUTES)
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=NoticeStatus.PENDING, next_try_at__lte=cutoff)
            .order_by("next_try_at").values_list("pk", flat=True)[:batch]
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(next_try_at=now)
    webhooks_enqueue(ids)
    return len(ids)


def webhook_replay(*, delivery_id: int, now: datetime | None = None) -> bool:
    """Send a delivery again (the admin's replay): back to pending with a fresh count of
    attempts, the same id (a receiver that de-duplicates knows it has seen it)."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=NoticeStatus.PENDING, attempts=0, next_try_at=now, last_error="")
        if changed:
            transaction.on_commit(partial(webhooks_enqueue, [delivery_id]))
    return bool(changed)


# --- send (the worker) ---------------------------------------------------------------------------

class DeliveryFailed(Exception):
    def __init__(self, words: str, status_code: int | None = None):
        super().__init__(words)
        self.status_code = status_code


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: following it would let an endpoint send
    the worker anywhere, inside the council's network too (SSRF; urllib turns a 302 after a
    POST into a GET to wherever Location says). The 3xx reaches the caller as an HTTPError."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def http_post(url: str, body: bytes, headers: dict, timeout: float) -> int:
    """POST and return the status code; a non-2xx answer (a redirect included: never
    followed) or no answer raises DeliveryFailed."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        raise DeliveryFailed(f"HTTP {error.code}", error.code) from None
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryFailed(type(error).__name__) from None


def retry_delay(attempts: int) -> int:
    base = settings.NOTICE_RETRY_BASE_SECONDS
    return min(base * 2 ** max(attempts - 1, 0), settings.NOTICE_RETRY_MAX_SECONDS)


def request_for(delivery: WebhookDelivery, *, now: datetime) -> tuple[bytes, dict]:
    body = json.dumps({"id": delivery.pk, **delivery.payload}, separators=(",", ":"),
                      sort_keys=True).encode()
    timestamp = int(now.timestamp())
    return body, {
        "Content-Type": "application/json",
        "User-Agent": "safeguarding-portal-webhooks/1",
        "Webhook-Id": str(delivery.pk),
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": signature(delivery.endpoint.secret, timestamp, body),
    }


def _earlier_pending(delivery: WebhookDelivery) -> bool:
    return WebhookDelivery.objects.filter(
        endpoint_id=delivery.endpoint_id, referral_id=delivery.referral_id, pk__lt=delivery.pk,
        status=NoticeStatus.PENDING,
    ).exists()


def webhooks_send_now(ids: Iterable[int], *, now: datetime | None = None) -> dict[int, int]:
    """Post the pending deliveries among `ids`, in one transaction holding their rows.
    Returns {delivery id: seconds before its next try} for those to try again."""
    now = now or timezone.now()
    post = import_string(settings.WEBHOOK_TRANSPORT)  # a test transport, as EMAIL_BACKEND is
    retries: dict[int, int] = {}
    with transaction.atomic():
        deliveries = list(
            WebhookDelivery.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(pk__in=list(ids), status=NoticeStatus.PENDING)
            .select_related("endpoint").order_by("pk")
        )
        for delivery in deliveries:
            if _earlier_pending(delivery):
                # Order within a referral: wait for the earlier one (no attempt is counted).
                retries[delivery.pk] = settings.NOTICE_RETRY_BASE_SECONDS
                delivery.next_try_at = now + timedelta(seconds=retries[delivery.pk])
                delivery.save(update_fields=["next_try_at"])
                continue
            delivery.attempts += 1
            body, headers = request_for(delivery, now=now)
            try:
                delivery.last_status_code = post(delivery.endpoint.url, body, headers,
                                                 settings.WEBHOOK_TIMEOUT_SECONDS)
            except Exception as error:  # every failure is recorded, retried or failed
                delivery.last_error = str(error)[:300] if isinstance(error, DeliveryFailed) \
                    else type(error).__name__
                delivery.last_status_code = getattr(error, "status_code", None)
                if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
                    delivery.status = NoticeStatus.FAILED
                else:
                    retries[delivery.pk] = retry_delay(delivery.attempts)
                    delivery.next_try_at = now + timedelta(seconds=retries[delivery.pk])
                log.warning("webhook delivery %s attempt %s failed: %s", delivery.pk,
                            delivery.attempts, delivery.last_error)
            else:
                delivery.status, delivery.sent_at, delivery.last_error = (
                    NoticeStatus.SENT, now, "")
            delivery.save(update_fields=["attempts", "status", "sent_at", "last_error",
                                         "last_status_code", "next_try_at"])
    return retries
