"""Production settings pass Django's deployment checks; the compose file is valid."""

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    for name in ("DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                 "SECURE_HSTS_SECONDS", "STATICFILES_BACKEND", "EMAIL_BACKEND"):
        env.pop(name, None)
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "safeguarding.example.gov.uk",
        "CSRF_TRUSTED_ORIGINS": "https://safeguarding.example.gov.uk",
        "SITE_URL": "https://safeguarding.example.gov.uk",
        "TRUST_X_FORWARDED_PROTO": "true",
        **extra,
    })
    return env


def test_check_deploy_passes_with_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=_production_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = _production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_defaults_are_safe():
    code = ("import django; django.setup(); from django.conf import settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
            "s.EMAIL_BACKEND.rsplit('.', 2)[-2])")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_production_env(),
        capture_output=True, text=True, timeout=120,
    )
    assert result.stdout.split() == ["False", "True", "True", "True", "31536000", "smtp"], (
        result.stderr
    )


@pytest.mark.skipif(shutil.which("docker-compose") is None,
                    reason="docker-compose is not installed (CI installs Debian's)")
def test_docker_compose_file_is_valid():
    env = {**os.environ, "SECRET_KEY": "compose-validation-only"}
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    services = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "--services"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    ).stdout.split()
    assert sorted(services) == ["beat", "clamav", "migrate", "postgres", "redis", "web",
                                "worker"]


@pytest.mark.skipif(shutil.which("docker-compose") is None,
                    reason="docker-compose is not installed (CI installs Debian's)")
def test_docker_compose_runs_the_portal_as_the_app_role_and_scans_uploads():
    """Issue 14, attacks 8 and 9: only the one-shot migrate service has the owner's URL; the
    processes that serve and work connect as the application role and scan uploads."""
    import yaml

    env = {**os.environ, "SECRET_KEY": "compose-validation-only"}
    config = yaml.safe_load(subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    ).stdout)["services"]
    owner = config["postgres"]["environment"]["POSTGRES_USER"]
    assert config["migrate"]["environment"]["MIGRATION_DATABASE_URL"].startswith(
        f"postgres://{owner}:")
    for name in ("web", "worker", "beat"):
        environment = config[name]["environment"]
        assert "MIGRATION_DATABASE_URL" not in environment, name
        assert environment["DATABASE_URL"].startswith("postgres://portal_app:"), name
        assert environment["CLAMAV_ENABLED"] == "true", name
    assert config["migrate"]["environment"]["APP_DATABASE_URL"].startswith(
        "postgres://portal_app:")
    assert config["web"]["depends_on"]["migrate"]["condition"] == \
        "service_completed_successfully"


@pytest.mark.skipif(shutil.which("docker-compose") is None,
                    reason="docker-compose is not installed (CI installs Debian's)")
def test_docker_compose_refuses_to_run_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
