"""The referral document's shape is a contract (docs/api.md, "Stability"): this test pins every
field and its JSON type. A change here is deliberate: a new API version, or an additive change
written down in docs/api.md's change log (and this pin updated with it)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from referrals.models import Attachment

pytestmark = pytest.mark.django_db


def shape(value):
    """Field -> JSON type, recursively; a list is described by its first item."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return {str: "string", bool: "boolean", int: "integer", float: "number",
            type(None): "null"}[type(value)]


ANSWERS = "object"  # the form's answers by question key: described in docs/api.md

DOCUMENT_V1 = {
    "schema_version": "string", "id": "integer", "reference": "string", "pathway": "string",
    "team": "string", "status": "string", "urgent": "boolean", "urgent_reason": "string",
    "received_at": "string", "closed_at": "null", "rag_rating": "string", "outcome": "string",
    "msp_outcome": "string", "organisation": "string",
    "person": {"name": "string", "other_names": "string", "date_of_birth": "string",
               "age_approx": "null", "address": "string", "postcode": "string",
               "gender": "string"},
    "concern": {"categories": ["string"], "pattern": "string", "police_informed": "string",
                "crime_reference": "string", "main_need": "string",
                "children_in_household": "string", "answers": ANSWERS},
    "consent": {"consent": "string", "grounds": []},
    "alleged_persons": [],
    "household_members": [],
    "decisions": [{"action": "string", "outcome": "string", "detail": "string",
                   "decided_at": "string", "s42_care_needs": "string", "s42_abuse": "string",
                   "s42_unable_to_protect": "string", "need_level": "string",
                   "need_level_name": "string", "services": []}],
    "clocks": [{"kind": "string", "variant": "string", "starts_at": "string",
                "due_at": "string", "met_at": "string", "paused_at": "null",
                "breached_at": "null", "cancelled_at": "null"}],
    "timeline": [{"id": "integer", "type": "string", "occurred_at": "string",
                  "from_status": "string", "to_status": "string"}],
    "attachments": [{"id": "integer", "name": "string", "description": "string",
                     "content_type": "string", "size": "integer", "uploaded_at": "string",
                     "download_url": "string"}],
    "handovers": [{"case_id": "string", "accepted_by": "string", "client": "string",
                   "at": "string"}],
}


def test_the_referral_document_keeps_its_shape(client, register, bearer, decided):
    stored = default_storage.save("attachments/contract", ContentFile(b"%PDF-1.4\n"))
    Attachment.objects.create(referral=decided, stored_name=stored, original_name="a.pdf",
                              content_type="application/pdf", size=9)
    try:
        api_client, secret = register()
        headers = bearer(api_client, secret)
        client.post(f"/api/v1/referrals/{decided.pk}/handover/",
                    {"case_id": "C-1", "accepted_by": "Team A"},
                    content_type="application/json", **headers)
        document = client.get(f"/api/v1/referrals/{decided.pk}/", **headers).json()
    finally:
        default_storage.delete(stored)
    found = shape(document)
    found["concern"]["answers"] = ANSWERS
    assert found == DOCUMENT_V1


def test_the_schema_documents_every_field_of_the_document(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    components = schema["components"]["schemas"]
    documented = components["ReferralDocument"]
    assert set(documented["properties"]) == set(DOCUMENT_V1)
    assert set(documented["required"]) == set(DOCUMENT_V1)
    for name, nested in (("person", "Person"), ("concern", "Concern"), ("consent", "Consent")):
        assert set(components[nested]["properties"]) == set(DOCUMENT_V1[name]), name
    decision = components["DecisionItem"]["properties"]
    assert set(decision) == set(DOCUMENT_V1["decisions"][0])
    assert set(components["SignpostedService"]["properties"]) == {"id", "name", "source_id"}
    for added in ("s42_care_needs", "s42_abuse", "s42_unable_to_protect", "need_level",
                  "need_level_name", "services"):  # what explains a decision: read only
        assert decision[added]["readOnly"] is True, added
    assert documented["properties"]["msp_outcome"]["readOnly"] is True
