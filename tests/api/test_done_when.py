"""Issue 17's "done when", over HTTP against a live server, as an integration team would do it
from docs/api.md: a registered client fetches today's decided OPPD referrals, acknowledges
one, and receives the signed webhook for the next decision; an unregistered or out-of-scope
client gets nothing; every read is audited."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import requests

from api.services import client_register, endpoint_register
from audit.models import AuditEvent
from core.vocabulary import AuditAction
from tests.factories.referrals import referral_with
from tests.factories.triage import decide

from .receiver import Receiver

LONDON = ZoneInfo("Europe/London")


def token(base, client_id, secret, scope=None):
    data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    return requests.post(f"{base}/api/v1/oauth/token/", data=data, auth=(client_id, secret),
                         timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_registered_client_fetches_acknowledges_and_hears_the_next_decision(
        live_server, referrer, council_admin):
    base = live_server.url
    decided = referral_with(referrer, pathway="oppd", status="enquiry")
    waiting = referral_with(referrer, pathway="oppd")
    referral_with(referrer, pathway="mash", status="mash_decided")
    mosaic, secret = client_register(
        name="Mosaic (adults)", pathways=["oppd"],
        scopes=["referrals:read", "handover:write", "events:read"], actor=council_admin)
    with Receiver() as receiver:
        _endpoint, receiver.secret = endpoint_register(
            client=mosaic, url=receiver.url, event_types=["referral.decided"],
            actor=council_admin)

        # 1. A token, then today's decided OPPD referrals.
        answer = token(base, mosaic.client_id, secret)
        assert answer.status_code == 200, answer.text
        auth = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        today = datetime.combine(datetime.now(LONDON).date(), time.min, tzinfo=LONDON)
        listed = requests.get(f"{base}/api/v1/referrals/", headers=auth, timeout=10, params={
            "pathway": "oppd", "decided_since": today.isoformat()})
        assert listed.status_code == 200, listed.text
        results = listed.json()["results"]
        assert [r["reference"] for r in results] == [decided.reference]
        document = requests.get(results[0]["url"], headers=auth, timeout=10).json()
        assert document["reference"] == decided.reference and document["pathway"] == "oppd"

        # 2. Acknowledge the hand-over.
        acknowledged = requests.post(
            f"{base}/api/v1/referrals/{decided.pk}/handover/", headers=auth, timeout=10,
            json={"case_id": "MOS-2026-0042", "accepted_by": "Adult Social Care, Locality 2"})
        assert acknowledged.status_code == 201, acknowledged.text

        # 3. The next decision arrives as a signed webhook (the worker runs eagerly here).
        decide(waiting)
        bodies = receiver.bodies()
        assert [r["valid"] for r in receiver.received] == [True]
        assert bodies[0]["type"] == "referral.decided"
        assert bodies[0]["referral"]["id"] == waiting.pk

    # An unregistered client: no token, no data.
    assert token(base, "not-a-client", "nope").status_code == 401
    assert requests.get(f"{base}/api/v1/referrals/", timeout=10).status_code == 401
    # Out of scope: a MASH-only client sees no OPPD referral; a feed-only client reads none.
    mash, mash_secret = client_register(name="MASH system", pathways=["mash"],
                                        scopes=["referrals:read"], actor=council_admin)
    mash_auth = {"Authorization": "Bearer " + token(base, mash.client_id, mash_secret)
                 .json()["access_token"]}
    mash_list = requests.get(f"{base}/api/v1/referrals/", headers=mash_auth, timeout=10,
                             params={"pathway": "oppd"})
    assert mash_list.status_code == 403
    assert requests.get(f"{base}/api/v1/referrals/{decided.pk}/", headers=mash_auth,
                        timeout=10).status_code == 404
    feed, feed_secret = client_register(name="Feed only", pathways=["oppd"],
                                        scopes=["events:read"], actor=council_admin)
    feed_auth = {"Authorization": "Bearer " + token(base, feed.client_id, feed_secret)
                 .json()["access_token"]}
    assert requests.get(f"{base}/api/v1/referrals/{decided.pk}/", headers=feed_auth,
                        timeout=10).status_code == 403

    # Every read audited, naming the client; refusals audited as refused.
    reads = AuditEvent.objects.filter(action__in=[AuditAction.REFERRAL_API_LISTED,
                                                  AuditAction.REFERRAL_API_VIEWED])
    assert sorted((r.action, r.referral_id, r.detail["client_name"]) for r in reads) == [
        (AuditAction.REFERRAL_API_LISTED, decided.pk, "Mosaic (adults)"),
        (AuditAction.REFERRAL_API_VIEWED, decided.pk, "Mosaic (adults)"),
    ]
    refused = AuditEvent.objects.filter(action=AuditAction.REFERRAL_API_REFUSED, allowed=False)
    assert {r.detail["client_name"] for r in refused} == {"MASH system"}
    assert AuditEvent.objects.filter(action=AuditAction.REFERRAL_HANDED_OVER,
                                     referral_id=decided.pk).count() == 1
