"""Errors as RFC 9457 problem details (`application/problem+json`): type, title, status,
detail, and `errors` by field for a request that does not validate. The schema documents the
shape (api.serializers.ProblemSerializer) on every operation."""

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_BASE = "https://docs.portal.example/api/problems/"
TITLES = {
    400: "The request is not valid",
    401: "A valid bearer token is needed",
    403: "This client may not do this",
    404: "No such resource for this client",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict with the referral's state",
    415: "Unsupported media type",
    429: "Too many requests",
}
SLUGS = {400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not-found",
         405: "method-not-allowed", 406: "not-acceptable", 409: "conflict",
         415: "unsupported-media-type", 429: "rate-limited"}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The referral's state does not allow this."
    default_code = "conflict"


def problem(status_code: int, detail: str, *, errors: dict | None = None,
            headers: dict | None = None) -> Response:
    body = {
        "type": PROBLEM_BASE + SLUGS.get(status_code, "error"),
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers,
                        content_type="application/problem+json")
    return response


def _words(detail) -> str:
    if isinstance(detail, list | tuple):
        return " ".join(_words(item) for item in detail)
    if isinstance(detail, dict):
        return " ".join(f"{key}: {_words(value)}" for key, value in detail.items())
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a 500: Django's own handler (never with details)
    headers = {key: value for key, value in response.items()
               if key in ("Retry-After", "WWW-Authenticate")}
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return problem(400, "Some of the request's values are not valid.",
                       errors={key: [str(v) for v in (value if isinstance(value, list)
                                                      else [value])]
                               for key, value in errors.items()}, headers=headers)
    return problem(response.status_code, _words(getattr(exc, "detail", "")), headers=headers)
