"""Webhook transports for tests (settings.WEBHOOK_TRANSPORT, as the fault harness's email
backends are EMAIL_BACKEND): the real HTTP post, preceded by a hang the test kills."""

import os
import time
from pathlib import Path

from outbox.webhooks import http_post


def hang_once(url, body, headers, timeout):
    """The first post (per FAULT_DIR) records the worker child's pid and hangs before sending,
    so the test can kill that process mid-batch; later posts are the real thing."""
    marker = Path(os.environ["FAULT_DIR"]) / "hung.pid"
    if not marker.exists():
        marker.write_text(str(os.getpid()))
        time.sleep(300)  # killed long before this ends
    return http_post(url, body, headers, timeout)
