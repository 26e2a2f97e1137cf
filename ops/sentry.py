"""Optional error reporting to Sentry (SENTRY_DSN). Nothing personal is sent: no default PII,
no local variables of stack frames (they hold referral answers), and `before_send` removes
request bodies, cookies, query strings, headers other than a safe few, and any user field but
the id."""

SAFE_HEADERS = {"host", "user-agent-family", "content-type", "content-length", "accept",
                "x-request-id"}
FILTERED = "[Filtered]"


def before_send(event, hint):
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            if key in request:
                request[key] = FILTERED
        if isinstance(request.get("url"), str):
            request["url"] = request["url"].split("?", 1)[0]
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() in SAFE_HEADERS}
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    for crumb in (event.get("breadcrumbs") or {}).get("values", []):
        if isinstance(crumb, dict) and crumb.get("category") in {"query", "http"}:
            crumb.pop("data", None)  # SQL parameters, URLs with query strings
    return event


def sentry_options(*, dsn: str, environment: str, release: str) -> dict:
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    return {
        "dsn": dsn,
        "environment": environment,
        "release": release or None,
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
        "before_send": before_send,
        "traces_sample_rate": 0.0,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
    }


def sentry_init(*, dsn: str, environment: str, release: str) -> bool:
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(**sentry_options(dsn=dsn, environment=environment, release=release))
    return True
