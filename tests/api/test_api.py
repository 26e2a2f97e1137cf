"""The API v1: clients, scopes, pathways, reads audited with the client's name, hand-over,
the events feed, problem details and rate limits (issue 17)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from audit.models import AuditEvent
from core.vocabulary import AuditAction, EventKind, MspOutcome, Outcome
from directory.models import Service
from feedback.selectors import timeline_for_referrer
from pathways.models import ThresholdLevel
from referrals.models import Attachment
from tests.factories import triage
from tests.factories.feedback import send_pending
from tests.factories.referrals import referral_submit, referral_with
from tests.factories.triage import worker

from .conftest import token_for

pytestmark = pytest.mark.django_db


def rows(action, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


def test_no_token_or_a_bad_one_gets_a_problem_and_nothing_else(client, decided):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer not-a-token"}):
        response = client.get(f"/api/v1/referrals/{decided.pk}/", **headers)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == 401 and body["type"].endswith("/unauthenticated")
        assert "Mary" not in response.content.decode()


def test_an_unregistered_client_gets_no_token(client, register):
    api_client, _secret = register()
    answer = token_for(client, api_client, "wrong-secret")
    assert answer["status"] == 401 and "access_token" not in answer


def test_a_client_asks_only_for_the_scopes_it_was_granted(client, register):
    api_client, secret = register(scopes=["referrals:read"])
    assert token_for(client, api_client, secret, "handover:write")["status"] == 400
    granted = token_for(client, api_client, secret)
    assert granted["status"] == 200 and granted["scope"] == "referrals:read"


def test_the_list_holds_decided_referrals_of_the_clients_pathways_and_audits_each(
        client, register, bearer, referrer, decided):
    undecided = referral_with(referrer, pathway="oppd")
    mash = referral_with(referrer, pathway="mash", status="mash_decided")
    api_client, secret = register()
    response = client.get("/api/v1/referrals/", {"pathway": "oppd"},
                          **bearer(api_client, secret))
    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["id"] for row in body["results"]] == [decided.pk]
    assert body["results"][0]["reference"] == decided.reference
    assert body["results"][0]["decided_at"] and body["results"][0]["handed_over"] is False
    listed = rows(AuditAction.REFERRAL_API_LISTED)
    assert [row.referral_id for row in listed] == [decided.pk]
    assert listed[0].detail == {"client": api_client.pk, "client_name": "Mosaic (adults)"}
    assert listed[0].object_type == "api.apiclient"
    assert not rows(AuditAction.REFERRAL_API_LISTED, referral_id__in=[undecided.pk, mash.pk])
    # Asking for a pathway the client was not granted is refused, and audited.
    refused = client.get("/api/v1/referrals/", {"pathway": "mash"}, **bearer(api_client, secret))
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert rows(AuditAction.REFERRAL_API_REFUSED, allowed=False).count() == 1


def test_the_list_pages_by_cursor_and_filters(client, register, bearer, referrer):
    first, second, third = (referral_with(referrer, pathway="oppd", status="enquiry")
                            for _ in range(3))
    api_client, secret = register()
    headers = bearer(api_client, secret)
    page = client.get("/api/v1/referrals/", {"limit": 2}, **headers).json()
    assert [r["id"] for r in page["results"]] == [first.pk, second.pk]
    rest = client.get("/api/v1/referrals/", {"limit": 2, "cursor": page["next_cursor"]},
                      **headers).json()
    assert [r["id"] for r in rest["results"]] == [third.pk] and rest["next_cursor"] is None
    later = client.get("/api/v1/referrals/", {"decided_since": "2999-01-01T00:00:00Z"},
                       **headers).json()
    assert later["results"] == []
    bad = client.get("/api/v1/referrals/", {"cursor": "abc", "status": "nonsense"}, **headers)
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"status"} or "cursor" in bad.json()["errors"]


def test_one_referral_is_the_document_audited_with_the_client(client, register, bearer,
                                                               decided):
    api_client, secret = register()
    response = client.get(f"/api/v1/referrals/{decided.pk}/", **bearer(api_client, secret))
    assert response.status_code == 200
    document = response.json()
    assert document["schema_version"] == "1"
    assert document["person"]["name"] == "Mary Example"
    assert [d["outcome"] for d in document["decisions"]] == ["s42_met"]
    assert {"referral.created", "referral.decided"} <= {e["type"] for e in document["timeline"]}
    viewed = rows(AuditAction.REFERRAL_API_VIEWED, referral_id=decided.pk).get()
    assert viewed.detail["client_name"] == "Mosaic (adults)" and viewed.actor is None
    # Nothing internal: the decision's rationale, staff notes and the referrer's feedback.
    text = response.content.decode()
    for internal in ("rationale", "internal_notes", "feedback_records", "We looked at"):
        assert internal not in text


def test_the_decisions_carry_what_explains_them_and_a_closure_its_msp_outcome(
        client, register, bearer, referrer):
    """Issue 15 items 6 and 7: each decision's section 42 criteria or level of need and the
    services signposted to; a closed adult referral's Making Safeguarding Personal outcome."""
    service = Service.objects.create(name="Southwark Carers", source_id="oruk-17")
    adult = referral_submit(referrer)
    triage.decide(adult, Outcome.CONCERN_NOT_MET, services=(service.pk,))
    send_pending()
    triage.close(adult, msp_outcome=MspOutcome.PARTLY)
    child = referral_submit(referrer, child=True)
    triage.decide(child, Outcome.EARLY_HELP)
    api_client, secret = register(pathways=("oppd", "mash"))
    headers = bearer(api_client, secret)
    document = client.get(f"/api/v1/referrals/{adult.pk}/", **headers).json()
    assert document["msp_outcome"] == "partly"
    decided, closed = document["decisions"]
    assert (decided["s42_care_needs"], decided["s42_abuse"],
            decided["s42_unable_to_protect"]) == ("met", "met", "not_met")
    assert decided["services"] == [{"id": service.pk, "name": "Southwark Carers",
                                    "source_id": "oruk-17"}]
    assert (decided["need_level"], closed["s42_care_needs"], closed["services"]) == ("", "", [])
    document = client.get(f"/api/v1/referrals/{child.pk}/", **headers).json()
    assert document["msp_outcome"] == ""
    (decision,) = document["decisions"]
    assert (decision["need_level"], decision["need_level_name"], decision["s42_abuse"]) == (
        "level-2", ThresholdLevel.objects.get(code="level-2").name, "")


def test_out_of_pathway_or_missing_reads_as_not_found_and_is_audited(client, register, bearer,
                                                                     referrer):
    mash = referral_with(referrer, pathway="mash", status="mash_decided")
    api_client, secret = register(pathways=["oppd"])
    headers = bearer(api_client, secret)
    for pk in (mash.pk, 999999):
        response = client.get(f"/api/v1/referrals/{pk}/", **headers)
        assert response.status_code == 404 and "Sam" not in response.content.decode()
    assert rows(AuditAction.REFERRAL_API_REFUSED, referral_id=mash.pk, allowed=False).exists()
    assert not rows(AuditAction.REFERRAL_API_VIEWED).exists()


def test_without_the_scope_every_endpoint_refuses(client, register, bearer, decided):
    api_client, secret = register(scopes=["events:read"])
    headers = bearer(api_client, secret)
    for method, path in (("get", "/api/v1/referrals/"),
                         ("get", f"/api/v1/referrals/{decided.pk}/"),
                         ("get", f"/api/v1/referrals/{decided.pk}/attachments/1/"),
                         ("post", f"/api/v1/referrals/{decided.pk}/handover/")):
        response = getattr(client, method)(path, **headers, content_type="application/json",
                                           data={"case_id": "C1", "accepted_by": "A"}
                                           if method == "post" else None)
        assert response.status_code == 403, path
    reader, reader_secret = register(name="Reader", scopes=["referrals:read"])
    assert client.get("/api/v1/events/", **bearer(reader, reader_secret)).status_code == 403
    assert not rows(AuditAction.REFERRAL_API_VIEWED).exists()


def test_an_attachment_downloads_for_the_client_and_is_audited(client, register, bearer,
                                                               decided):
    stored = default_storage.save("attachments/api-test", ContentFile(b"%PDF-1.4\n"))
    item = Attachment.objects.create(referral=decided, stored_name=stored, original_name="a.pdf",
                                     content_type="application/pdf", size=9)
    try:
        api_client, secret = register()
        headers = bearer(api_client, secret)
        document = client.get(f"/api/v1/referrals/{decided.pk}/", **headers).json()
        url = document["attachments"][0]["download_url"]
        response = client.get(url, **headers)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4\n"
        row = rows(AuditAction.REFERRAL_API_ATTACHMENT_DOWNLOADED, referral_id=decided.pk).get()
        assert row.detail["attachment"] == item.pk and row.detail["client"] == api_client.pk
    finally:
        default_storage.delete(stored)


def test_acknowledging_the_handover(client, register, bearer, decided, referrer):
    api_client, secret = register()
    headers = bearer(api_client, secret)
    path = f"/api/v1/referrals/{decided.pk}/handover/"
    body = {"case_id": "MOS-12345", "accepted_by": "Adult Social Care, Locality 2"}
    first = client.post(path, body, content_type="application/json", **headers)
    assert first.status_code == 201, first.content
    assert first.json()["created"] is True
    again = client.post(path, body, content_type="application/json", **headers)
    assert again.status_code == 200 and again.json()["created"] is False
    other = client.post(path, {**body, "case_id": "MOS-9"}, content_type="application/json",
                        **headers)
    assert other.status_code == 409
    event = decided.events.get(kind=EventKind.HANDED_OVER)
    assert event.visible_to_referrer
    row = rows(AuditAction.REFERRAL_HANDED_OVER, referral_id=decided.pk).get()
    assert row.detail["client_name"] == "Mosaic (adults)" and row.detail["case_id"] == "MOS-12345"
    assert "Locality" not in str(row.detail)
    # Staff see the case id and who accepted it on the referral page.
    staff = Client()
    staff.force_login(worker(decided))
    page = staff.get(f"/triage/referral/{decided.pk}/").content.decode()
    assert "MOS-12345" in page and "Adult Social Care, Locality 2" in page
    # The referrer's timeline says it was passed to a social work team, nothing more.
    items = [i for i in timeline_for_referrer(decided) if i.title == "Passed to a social work team"]
    assert len(items) == 1 and items[0].words == ""
    listed = client.get("/api/v1/referrals/", {"handed_over": "true"}, **headers).json()
    assert [r["id"] for r in listed["results"]] == [decided.pk]


def test_with_consent_refused_the_referrer_is_not_told_of_the_handover(client, register,
                                                                       bearer, referrer):
    from tests.factories.referrals import referral_submit
    from tests.factories.triage import to_status

    refused = to_status(referral_submit(referrer, consent="no"), "enquiry")
    api_client, secret = register()
    response = client.post(f"/api/v1/referrals/{refused.pk}/handover/",
                           {"case_id": "MOS-1", "accepted_by": "Team A"},
                           content_type="application/json", **bearer(api_client, secret))
    assert response.status_code == 201
    assert not refused.events.get(kind=EventKind.HANDED_OVER).visible_to_referrer
    assert all(i.title != "Passed to a social work team" for i in timeline_for_referrer(refused))


def test_an_undecided_referral_cannot_be_handed_over(client, register, bearer, referrer):
    waiting = referral_with(referrer, pathway="oppd")
    api_client, secret = register()
    response = client.post(f"/api/v1/referrals/{waiting.pk}/handover/",
                           {"case_id": "X1", "accepted_by": "A"},
                           content_type="application/json", **bearer(api_client, secret))
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    invalid = client.post(f"/api/v1/referrals/{waiting.pk}/handover/", {"case_id": "no spaces"},
                          content_type="application/json", **bearer(api_client, secret))
    assert invalid.status_code == 400
    assert set(invalid.json()["errors"]) == {"case_id", "accepted_by"}


def test_the_feed_catches_up_by_cursor_on_the_clients_pathways(client, register, bearer,
                                                               referrer, decided):
    referral_with(referrer, pathway="mash", status="mash_decided")
    api_client, secret = register()
    headers = bearer(api_client, secret)
    page = client.get("/api/v1/events/", {"limit": 1}, **headers).json()
    seen = list(page["events"])
    while True:
        page = client.get("/api/v1/events/", {"cursor": page["next_cursor"]}, **headers).json()
        if not page["events"]:
            break
        seen += page["events"]
    assert {e["referral"]["id"] for e in seen} == {decided.pk}
    assert [e["type"] for e in seen][:2] == ["referral.created", "referral.decided"]
    assert [e["id"] for e in seen] == sorted(e["id"] for e in seen)
    assert rows(AuditAction.REFERRAL_API_EVENTS_READ, referral_id=decided.pk).exists()


def test_a_suspended_client_loses_its_token_and_gets_no_new_one(client, register, bearer,
                                                                council_admin, decided):
    from api.services import client_suspend

    api_client, secret = register()
    headers = bearer(api_client, secret)
    client_suspend(client=api_client, actor=council_admin)
    assert client.get(f"/api/v1/referrals/{decided.pk}/", **headers).status_code == 401
    assert token_for(client, api_client, secret)["status"] == 401
    assert rows(AuditAction.CLIENT_SUSPENDED).get().detail["client"] == api_client.pk


def test_each_client_has_its_own_rate_limit(client, register, bearer, decided):
    api_client, secret = register(rate=2)
    other, other_secret = register(name="Other", rate=2)
    headers = bearer(api_client, secret)
    codes = [client.get("/api/v1/events/", **headers).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = client.get("/api/v1/events/", **headers)
    assert limited["Retry-After"] and limited["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/events/", **bearer(other, other_secret)).status_code == 200


def test_the_schema_is_public_and_the_docs_are_for_administrators(client, council_admin,
                                                                  referrer):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"clientCredentials" in schema.content
    assert client.get("/api/v1/docs/").status_code == 302
    client.force_login(referrer)
    assert client.get("/api/v1/docs/").status_code == 403
    client.force_login(council_admin)
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
