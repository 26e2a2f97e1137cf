"""The Kubernetes manifests (deploy/kubernetes, docs/deployment.md) are valid against
Kubernetes' own schemas (kubernetes-validate, offline, strict: an unknown field fails) and
mirror the topology the multi-node benchmark tests."""

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = sorted((ROOT / "deploy" / "kubernetes").glob("*.yaml"))
KUBERNETES = "1.30.0"  # the oldest version still in upstream support when this was written


def _documents():
    for path in MANIFESTS:
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                yield path.name, document


def _by_kind():
    found = {}
    for _, document in _documents():
        found[(document["kind"], document["metadata"]["name"])] = document
    return found


@pytest.mark.parametrize(("name", "document"), list(_documents()),
                         ids=lambda value: value if isinstance(value, str) else value["kind"])
def test_every_manifest_is_valid_kubernetes(name, document):
    kubernetes_validate.validate(document, KUBERNETES, strict=True)


def _container(found, name):
    return found[("Deployment", name)]["spec"]["template"]["spec"]["containers"][0]


def test_the_manifests_mirror_the_tested_topology():
    found = _by_kind()
    web = _container(found, "portal-web")
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    # Web, workers and beat are separate Deployments, each scaled on its own; two of each.
    for name in ("portal-web", "portal-worker", "portal-beat"):
        assert found[("Deployment", name)]["spec"]["replicas"] >= 2
    # Two beats are safe only with redbeat's lock.
    assert "--scheduler=redbeat.RedBeatScheduler" in _container(found, "portal-beat")["command"]
    job = found[("Job", "portal-migrate")]["spec"]["template"]["spec"]["containers"][0]
    assert job["command"] == ["./scripts/docker-migrate"]
    assert (ROOT / "scripts" / "docker-migrate").exists()
    config = found[("ConfigMap", "portal-config")]["data"]
    assert config["REDIS_URL"].startswith("redis://")
    assert "REPLICA_DATABASE_URL" in found[("Secret", "portal-secrets")]["stringData"]
