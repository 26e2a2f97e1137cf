"""An email backend for the worker-kill test, run inside a real Celery worker process.

The first send (ever, per FAULT_DIR) records the worker child's pid and hangs, so the test can
kill that process mid-task before anything is delivered; every later send appends the notice id
to FAULT_DIR/sent.log, which the test reads as "what really left the building"."""

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class HangOnceBackend(BaseEmailBackend):
    def send_messages(self, messages):
        folder = Path(os.environ["FAULT_DIR"])
        marker = folder / "hung.pid"
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            time.sleep(300)  # killed long before this ends
        with (folder / "sent.log").open("a") as log:
            for message in messages:
                log.write(f"{message.extra_headers.get('X-Portal-Notice', '?')}\n")
        return len(messages)
