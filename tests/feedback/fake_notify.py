"""A fake GOV.UK Notify API on loopback: the real client library talks HTTP to it.

Notify is outside our system, so this is the seam. It checks what Notify checks (a Bearer JWT
signed with the key's secret, issued by the service id; a JSON body with the required fields)
and answers as the API documents: 201 with the notification's id, or an error status.
"""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

SERVICE_ID = "2b4c6e8a-1111-4222-8333-944455566677"
SECRET = "9f8e7d6c-aaaa-4bbb-8ccc-ddddeeeeffff"
API_KEY = f"portal_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5"


class FakeNotify:
    def __init__(self):
        self.requests: list[dict] = []
        self.respond_with: list[int] = []  # statuses to answer with, in order; then 201
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address
        return f"http://{host}:{port}"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                return

            def _reply(self, status: int, payload: dict):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", 0))
                data = json.loads(self.rfile.read(length) or b"{}")
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                try:
                    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
                except jwt.PyJWTError:
                    return self._reply(403, {"status_code": 403, "errors": [
                        {"error": "AuthError", "message": "Invalid token"}]})
                fake.requests.append({"path": self.path, "json": data, "iss": claims.get("iss")})
                if self.path != "/v2/notifications/email":
                    return self._reply(404, {"status_code": 404, "errors": []})
                status = fake.respond_with.pop(0) if fake.respond_with else 201
                if status != 201:
                    return self._reply(status, {"status_code": status, "errors": [
                        {"error": "Error", "message": "refused"}]})
                missing = {"email_address", "template_id"} - data.keys()
                if missing:
                    return self._reply(400, {"status_code": 400, "errors": [
                        {"error": "ValidationError", "message": f"{missing} required"}]})
                notification_id = str(uuid.uuid4())
                return self._reply(201, {
                    "id": notification_id, "reference": data.get("reference"),
                    "content": {"subject": data["personalisation"].get("subject"),
                                "body": data["personalisation"].get("body")},
                    "template": {"id": data["template_id"], "version": 1},
                })

        return Handler
