"""Webhook delivery never follows a redirect (SSRF): an endpoint that answers 3xx could
otherwise send the worker to an address inside the council's network (urllib turns a 302
after a POST into a GET to wherever Location says). Tested against loopback servers."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from outbox.webhooks import DeliveryFailed, http_post


class Server:
    """A loopback server that records each request's method and path, and answers `status`
    with `location`."""

    def __init__(self, status=204, location=""):
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length", "0") or 0)
                if length:
                    self.rfile.read(length)
                server.requests.append((self.command, self.path))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_a_failed_delivery_and_the_target_is_never_asked(status):
    with Server() as internal, Server(status=status, location=internal.url) as endpoint:
        with pytest.raises(DeliveryFailed) as failed:
            http_post(endpoint.url, b"{}", {"Content-Type": "application/json"}, timeout=5)
        assert failed.value.status_code == status
        assert str(failed.value) == f"HTTP {status}"
        assert endpoint.requests == [("POST", "/hook")]
        assert internal.requests == []


def test_a_2xx_is_delivered():
    with Server(status=204) as endpoint:
        assert http_post(endpoint.url, b"{}", {"Content-Type": "application/json"},
                         timeout=5) == 204
        assert endpoint.requests == [("POST", "/hook")]
