"""A gunicorn process with the production settings, for the production smoke test.

The test process talks to it as the TLS proxy the README prescribes would: plain HTTP on a
loopback port, with `X-Forwarded-Proto: https` and `X-Forwarded-For` set, from an address in
TRUSTED_PROXIES. Cookies are kept by hand because they are marked Secure (as in production) and
an HTTP client library would not send them over the proxy's plain-HTTP hop.
"""

import email
import email.policy
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ADDRESS = "203.0.113.7"  # the browser's address, as the proxy reports it (TEST-NET-3)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(*, database_name: str, tmp: Path, port: int, private_root: str) -> dict:
    """The production settings module with DEBUG off and only deployment values given: no
    setting a production deployment would not have is changed."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_"))}
    # No REDIS_URL: the rate-limit counts then live in each server process and start from
    # nothing every run (in the shared Redis, earlier runs' counts would carry over).
    for name in ("DEBUG", "STATICFILES_BACKEND", "EMAIL_BACKEND", "CELERY_TASK_ALWAYS_EAGER",
                 "BENCH_VIEWS", "SENTRY_DSN", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    database_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + database_name
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": "production-smoke-" + "s" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
        "SITE_URL": f"https://127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(tmp / "static"),
        "PORTAL_VAR_DIR": str(tmp / "var"),
        "PRIVATE_STORAGE_ROOT": private_root,
        # The proxy: TLS ends there; it says so in X-Forwarded-Proto and gives the client's
        # address in X-Forwarded-For.
        "TRUST_X_FORWARDED_PROTO": "true",
        "TRUSTED_PROXIES": "127.0.0.1",
        # Mail to files, so the test can read the emailed sign-in codes; no worker runs here,
        # so tasks go to an in-memory broker of the server process and are dropped.
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp / "mail"),
        "CELERY_BROKER_URL": "memory://",
        "LOG_LEVEL": "INFO",
    })
    return env


def collectstatic(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


class Server:
    def __init__(self, env: dict, port: int, log: Path):
        self.port = port
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60",
             "--forwarded-allow-ips", "127.0.0.1", "--error-logfile", "-"],
            cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                if ProxyClient(self.port).get(path).status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {timeout} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


class Response:
    def __init__(self, raw: http.client.HTTPResponse, path: str):
        self.path = path
        self.status = raw.status
        self.headers = raw.headers
        self.body = raw.read()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class ProxyClient:
    """Requests as the TLS proxy forwards them, with a browser's cookie jar."""

    def __init__(self, port: int, client_address: str = CLIENT_ADDRESS):
        self.port = port
        self.client_address = client_address
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None,
                headers: dict | None = None, direct: bool = False) -> Response:
        """`direct`: as a program on the server itself would ask, not through the proxy."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        forwarded = {} if direct else {"X-Forwarded-Proto": "https",
                                       "X-Forwarded-For": self.client_address}
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            **forwarded,
            "User-Agent": "production-smoke",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = self.origin
            sent["Referer"] = self.origin + path
            if "csrftoken" in self.cookies:
                data.setdefault("csrfmiddlewaretoken", self.cookies["csrftoken"])
                body = urlencode(data)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = Response(connection.getresponse(), path)
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, headers: dict | None = None, direct: bool = False) -> Response:
        return self.request("GET", path, headers=headers, direct=direct)

    def post(self, path: str, data: dict) -> Response:
        return self.request("POST", path, data=dict(data))


def emailed_code(mail_dir: Path, address: str) -> str:
    """The newest six-digit code emailed to `address` (the file-based email backend)."""
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        for raw in reversed(path.read_bytes().split(b"-" * 79)):
            message = email.message_from_bytes(raw.strip(), policy=email.policy.default)
            if address not in (message.get("To") or ""):
                continue
            body = message.get_body(preferencelist=("plain",))
            match = re.search(r"\b(\d{6})\b", body.get_content() if body else "")
            if match:
                return match.group(1)
    raise AssertionError(f"no sign-in code emailed to {address}")
