"""Headers: CSP with nonces, HSTS, secure cookies, no-store on signed-in pages, --deploy clean."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import otp_login

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra) -> dict:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "safeguarding.example.gov.uk",
        "DATABASE_URL": "postgres://portal@db.example.gov.uk:5432/portal",
    }
    env.update(extra)
    return env


def run_manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_would_catch_a_weakened_setting():
    """The check above can fail: turning HSTS off makes it fail."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING",
                        env=production_env(SECURE_HSTS_SECONDS="0"))
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_production_defaults_are_secure():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.MFA_ENFORCED,"
        " s.AXES_ENABLED, s.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.split() == ["True"] * 7 + ["False"], result.stderr


def test_csp_has_a_nonce_that_matches_the_inline_script(client, db):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    # A fresh nonce per response.
    assert nonce not in client.get("/").headers["Content-Security-Policy"]


def test_every_inline_script_in_a_page_carries_the_nonce(client, referrer):
    otp_login(client, referrer)
    html = client.get(reverse("home")).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or "nonce=" in tag, tag


def test_hsts_and_other_headers_on_https(client, db):
    response = client.get("/", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response.headers["Strict-Transport-Security"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("url_name", ["home", "mfa:settings", "privacy"])
def test_signed_in_pages_are_never_stored(client, referrer, url_name, mfa_enforced):
    otp_login(client, referrer)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]


def test_second_factor_pages_are_never_stored(client, referrer, password, mfa_enforced):
    client.post("/account/sign-in/", {"username": referrer.email, "password": password})
    response = client.get(reverse("mfa:verify"))
    assert "no-store" in response.headers["Cache-Control"]
