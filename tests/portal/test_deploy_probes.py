"""The image and the compose file probe /healthz and /readyz (docs/operations.md)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_image_checks_liveness_on_healthz():
    dockerfile = (ROOT / "Dockerfile").read_text()
    healthcheck = [line for line in dockerfile.splitlines() if "HEALTHCHECK" in line or
                   "CMD curl" in line]
    assert healthcheck and "http://127.0.0.1:8000/healthz" in " ".join(healthcheck)


@pytest.mark.skipif(shutil.which("docker-compose") is None,
                    reason="docker-compose is not installed (CI installs Debian's)")
def test_compose_web_is_healthy_only_when_ready_and_nothing_waits_in_a_cycle():
    env = {**os.environ, "SECRET_KEY": "compose-validation-only"}
    result = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    config = result.stdout
    web = config[config.index("\n  web:"):]
    web = web[:web.index("\n  worker:")] if "\n  worker:" in web else web
    assert "http://127.0.0.1:8000/readyz" in web[web.index("healthcheck:"):]
    # Web's readiness needs the worker's heartbeat and beat's sweep: they must not wait for
    # web to be healthy, or nothing would ever start.
    import yaml

    services = yaml.safe_load(config)["services"]
    for name in ("worker", "beat"):
        assert services[name]["depends_on"]["web"]["condition"] == "service_started", name
    waits = {name: set(service.get("depends_on") or {}) for name, service in services.items()}
    assert "web" not in waits["web"] and not any(
        "worker" in waits[name] or "beat" in waits[name] for name in waits)
    assert services["web"]["depends_on"]["redis"]["condition"] == "service_healthy"
    # No access log with client addresses and query strings.
    assert "--access-logfile" not in (ROOT / "scripts" / "docker-web").read_text()
