"""A webhook receiver on loopback, written as docs/api.md tells an integration team to write
one: verify the signature over the raw body and the timestamp, then de-duplicate on
Webhook-Id. It records every request, so tests can count what really arrived."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify(secret: str, headers, body: bytes, tolerance: int = 300) -> bool:
    timestamp = headers.get("Webhook-Timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = "v1=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                                hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers.get("Webhook-Signature", ""))


class Receiver:
    def __init__(self, secret: str = ""):
        self.secret = secret
        self.received: list[dict] = []  # every request, duplicates kept
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.received.append({
                        "id": self.headers.get("Webhook-Id"),
                        "valid": verify(receiver.secret, self.headers, body),
                        "body": json.loads(body or b"{}"),
                    })
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def bodies(self) -> list[dict]:
        with self.lock:
            return [r["body"] for r in self.received]
