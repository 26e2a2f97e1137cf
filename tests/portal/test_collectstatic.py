"""The production build step: collectstatic with the production (manifest) storage succeeds.

Issue 14: govuk-frontend's minified CSS and JS ended in sourceMappingURL comments naming .map
files that were never vendored, so the manifest storage refused to build (MissingFileError) and
a production server answered 500 on every page."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDORED = ROOT / "static" / "vendor" / "govuk-frontend"


def test_collectstatic_with_the_production_storage_succeeds(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("STATICFILES_BACKEND", None)
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": "collectstatic-only-" + "x" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
    })
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "vendor/govuk-frontend/govuk-frontend.min.css" in manifest
    # Hashed and compressed copies exist for the vendored CSS and JS.
    built = {p.name for p in (tmp_path / "static" / "vendor" / "govuk-frontend").iterdir()}
    assert any(n.startswith("govuk-frontend.min.") and n.endswith(".css.gz") for n in built)
    assert any(n.startswith("govuk-frontend.min.") and n.endswith(".js.gz") for n in built)


def test_no_vendored_file_refers_to_a_source_map_that_is_not_there():
    for path in VENDORED.rglob("*"):
        if path.suffix in {".css", ".js"}:
            text = path.read_text(encoding="utf-8")
            if "sourceMappingURL=" in text:
                target = text.rsplit("sourceMappingURL=", 1)[1].split()[0].rstrip("*/")
                assert (path.parent / target).exists(), f"{path.name} refers to missing {target}"

