"""Structured JSON logs (django-structlog): one JSON object a line, each with the request id and
the signed-in person's id (never their name or email), on every log line written during a
request, including plain `logging` calls and the Celery tasks it starts.

Why django-structlog: maintained (releases through 2026, Django 5.2 and Celery supported), it
binds request_id and user_id per request and carries the request id into Celery tasks; we only
add what keeps personal data out (`scrub`) and return the request id as a response header."""

import re
import time

import structlog

QUERY = re.compile(r"\?.*$")
# Keys that could carry personal data and are never logged: the client's address and browser
# (personal data under UK GDPR), and anything a view might pass by mistake.
DROPPED_KEYS = ("ip", "user_agent", "remote_addr", "email", "full_name", "person_name",
                "username", "cookies", "headers", "body", "data")


def scrub(logger, method_name, event_dict):
    """A structlog processor: no query strings (search terms) in logged paths, no addresses,
    browsers or named personal fields."""
    for key in DROPPED_KEYS:
        event_dict.pop(key, None)
    request = event_dict.get("request")
    if isinstance(request, str):
        event_dict["request"] = QUERY.sub("", request)
    elif request is not None:  # Django's own loggers pass the request object (extra=...)
        event_dict["request"] = f"{getattr(request, 'method', '')} {getattr(request, 'path', '')}"
    return event_dict


SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    scrub,
]


def structlog_configure() -> None:
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )


def formatters() -> dict:
    """LOGGING formatters: `json` for production, `plain` (key=value) for a developer."""
    chain = [structlog.stdlib.ExtraAdder(), *SHARED_PROCESSORS]  # extras are scrubbed too
    return {
        "json": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ],
            "foreign_pre_chain": chain,
        },
        "plain": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.dev.ConsoleRenderer(colors=False),
            ],
            "foreign_pre_chain": chain,
        },
    }


def request_id_header(sender, request, response, **kwargs):
    """django-structlog signal: return the request id to the caller (X-Request-ID), so a person
    reporting a problem can quote it and it can be found in the logs."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id and response is not None:
        response["X-Request-ID"] = request_id


def request_clock_start(sender, request, **kwargs):
    """django-structlog signal, sent as the request comes in (whether or not `request_started`
    is written): when it started, for the finishing line's duration."""
    request._log_started = time.perf_counter()


def request_duration(sender, request, log_kwargs, **kwargs):
    """django-structlog signal: the finishing line (`request_finished`, `request_failed`)
    carries how long the request took inside the logging middleware, in milliseconds, so one
    line per request has its id, status and duration (issue 19: `request_started` is DEBUG)."""
    started = getattr(request, "_log_started", None)
    if started is not None:
        log_kwargs["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)


def request_finished_metadata(sender, request, response, log_kwargs, **kwargs):
    request_duration(sender, request, log_kwargs)
    request_id_header(sender, request, response)


def signals_connect() -> None:
    from django_structlog import signals

    signals.bind_extra_request_metadata.connect(request_clock_start, weak=False)
    signals.bind_extra_request_finished_metadata.connect(request_finished_metadata, weak=False)
    signals.bind_extra_request_failed_metadata.connect(request_duration, weak=False)
    signals.update_failure_response.connect(request_id_header, weak=False)
