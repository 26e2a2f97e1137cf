"""API v1 views: thin. Each names the scope it needs; each referral id goes through the access
policy (referrals.access.referral_load_for_system); each read of a referral is audited with
the client's name (api.audit)."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.vocabulary import AuditAction, Pathway, Status
from referrals import access
from referrals.services.attachments import download_name

from . import selectors
from . import serializers as shapes
from .audit import audit_reads, audit_refused
from .models import Scope
from .problems import PROBLEM_BASE, problem
from .services import handover_acknowledge

PROBLEM_TYPE = "application/problem+json"
PROBLEMS = {
    code: OpenApiResponse(shapes.Problem, description=words)
    for code, words in {
        400: "Invalid request (problem details)", 401: "No valid bearer token",
        403: "The client does not hold the scope, or asked outside its pathways",
        404: "No such referral for this client", 429: "Rate limit: wait for Retry-After",
    }.items()
}


def _problems(*codes):
    return {(code, PROBLEM_TYPE): PROBLEMS[code] for code in codes}


def _cursor(value: str) -> int:
    """An opaque cursor (today a row id); anything else is a 400."""
    if not value:
        return 0
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    raise serializers.ValidationError({"cursor": ["Not a cursor this API gave you."]})


CURSOR_HELP = "`next_cursor` from the previous page, as it was given (opaque)."


class ReferralFilters(serializers.Serializer):
    pathway = serializers.ChoiceField(choices=Pathway.choices, required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    decided_since = serializers.DateTimeField(required=False)
    handed_over = serializers.BooleanField(required=False, allow_null=True, default=None)
    cursor = serializers.RegexField(r"^[0-9]{1,18}$", required=False, allow_blank=True,
                                    max_length=18, help_text=CURSOR_HELP)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)


class FeedFilters(serializers.Serializer):
    cursor = serializers.RegexField(r"^[0-9]{1,18}$", required=False, allow_blank=True,
                                    max_length=18, help_text=CURSOR_HELP)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)


class ClientView(APIView):
    required_scope: str = ""


def _query(request, form):
    """The query string through `form`; an empty value is refused like any other invalid one
    (the schema says so), except the cursor, which may be sent empty."""
    empty = {key: ["Must not be empty."] for key, value in request.query_params.items()
             if value == "" and key in form.fields and not getattr(form.fields[key],
                                                                   "allow_blank", False)}
    if empty:
        raise serializers.ValidationError(empty)
    form.initial_data = request.query_params
    form.is_valid(raise_exception=True)
    return form.validated_data


@csrf_exempt  # no session here: a bearer token or nothing
def not_found(request, *args, **kwargs):
    """Any other address under /api/v1/: a problem, not the portal's HTML page."""
    return JsonResponse({"type": PROBLEM_BASE + "not-found", "title": "No such resource",
                         "status": 404, "detail": "There is nothing at this address."},
                        status=404, content_type=PROBLEM_TYPE)


class ReferralList(ClientView):
    required_scope = Scope.REFERRALS_READ

    @extend_schema(
        operation_id="referrals_ready", parameters=[ReferralFilters],
        summary="Referrals ready for hand-over",
        description="Decided referrals on the client's pathways whose work continues in case "
                    "management, oldest first (by id). Each listed referral is audited.",
        responses={200: shapes.ReferralPage, **_problems(400, 401, 403, 429)},
    )
    def get(self, request):
        data = _query(request, ReferralFilters(data=request.query_params))
        client = request.client
        if data.get("pathway") and data["pathway"] not in client.pathways:
            audit_refused(request, referral_id=None, why="pathway")
            return problem(403, "This client may not read that pathway.")
        limit = data["limit"]
        rows = selectors.referrals_page(
            client, pathway=data.get("pathway", ""), status=data.get("status", ""),
            decided_since=data.get("decided_since"), handed_over=data.get("handed_over"),
            after=_cursor(data.get("cursor", "")), limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        audit_reads(request, AuditAction.REFERRAL_API_LISTED, [r.pk for r in rows])
        page = {"results": [selectors.summary(r, request) for r in rows],
                "next_cursor": str(rows[-1].pk) if more else None}
        return Response(shapes.ReferralPage(page).data)


class ReferralDetail(ClientView):
    required_scope = Scope.REFERRALS_READ

    @extend_schema(
        operation_id="referral_document", summary="One referral as the JSON document",
        description="The documented, stable referral document (schema_version 1). Audited.",
        responses={200: shapes.ReferralDocument, **_problems(401, 403, 404, 429)},
    )
    def get(self, request, pk: int):
        referral = access.referral_load_for_system(
            request.client.pathways, pk, related=("team", "organisation"))
        if referral is None:
            audit_refused(request, referral_id=pk, why="not found or out of scope")
            return problem(404, "No such referral for this client.")
        audit_reads(request, AuditAction.REFERRAL_API_VIEWED, [referral.pk])
        return Response(shapes.ReferralDocument(selectors.document(referral, request)).data)


class AttachmentDownload(ClientView):
    required_scope = Scope.REFERRALS_READ

    @extend_schema(
        operation_id="referral_attachment", summary="Download an attachment",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                   **_problems(401, 403, 404, 429)},
    )
    def get(self, request, pk: int, attachment_pk: int):
        referral = access.referral_load_for_system(request.client.pathways, pk)
        item = referral.attachments.filter(pk=attachment_pk).first() if referral else None
        if item is None:
            audit_refused(request, referral_id=pk, why="attachment not found or out of scope")
            return problem(404, "No such attachment for this client.")
        audit_reads(request, AuditAction.REFERRAL_API_ATTACHMENT_DOWNLOADED, [referral.pk],
                    extra={"attachment": item.pk})
        response = FileResponse(default_storage.open(item.stored_name, "rb"), as_attachment=True,
                                filename=download_name(item), content_type=item.content_type)
        response["Cache-Control"] = "no-store"
        return response


class HandoverAcknowledge(ClientView):
    required_scope = Scope.HANDOVER_WRITE

    @extend_schema(
        operation_id="referral_handover", summary="Acknowledge the hand-over",
        description="Case management accepted the referral: its case id and who accepted it. "
                    "Safe to retry with the same case id (200); a first acknowledgement is 201.",
        request=shapes.HandoverRequest,
        responses={201: shapes.HandoverResponse, 200: shapes.HandoverResponse,
                   (409, PROBLEM_TYPE): OpenApiResponse(shapes.Problem, description="Not ready, or another "
                                        "case id was acknowledged"),
                   **_problems(400, 401, 403, 404, 429)},
    )
    def post(self, request, pk: int):
        body = shapes.HandoverRequest(data=request.data)
        body.is_valid(raise_exception=True)
        client = request.client
        if access.referral_load_for_system(client.pathways, pk) is None:
            audit_refused(request, referral_id=pk, why="not found or out of scope")
            return problem(404, "No such referral for this client.")
        done = handover_acknowledge(client=client, referral_id=int(pk), request=request._request,
                                    **body.validated_data)
        detail = done.event.detail
        return Response(shapes.HandoverResponse({
            "referral": int(pk), "case_id": detail["case_id"],
            "accepted_by": detail["accepted_by"], "at": done.event.at,
            "created": done.created}).data, status=201 if done.created else 200)


class EventFeed(ClientView):
    required_scope = Scope.EVENTS_READ

    @extend_schema(
        operation_id="events", parameters=[FeedFilters], summary="The events feed",
        description="Changes to referrals on the client's pathways, in order. Keep "
                    "`next_cursor` and poll with it: a client that was down catches up from "
                    "where it stopped.",
        responses={200: shapes.EventPage, **_problems(400, 401, 403, 429)},
    )
    def get(self, request):
        data = _query(request, FeedFilters(data=request.query_params))
        after = _cursor(data.get("cursor", ""))
        events = selectors.events_page(request.client, after=after, limit=data["limit"])
        audit_reads(request, AuditAction.REFERRAL_API_EVENTS_READ,
                    sorted({e.referral_id for e in events}))
        page = {"events": [selectors.event_item(e) for e in events],
                "next_cursor": str(events[-1].pk if events else after)}
        return Response(shapes.EventPage(page).data)
