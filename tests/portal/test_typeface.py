"""The council's look (issue 18): govuk-frontend built from its Sass with Arial, not GDS Transport
(licensed for service.gov.uk only), at the version the JavaScript was vendored at."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDORED = ROOT / "static" / "vendor" / "govuk-frontend"


def test_the_vendored_css_uses_arial_and_ships_no_gds_transport():
    css = (VENDORED / "govuk-frontend.min.css").read_text(encoding="utf-8-sig")
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    families = set(re.findall(r"font-family:\s*([^;}!]+)", css))
    assert families and all(f.strip().startswith(("arial", "sans-serif", "inherit", "monospace"))
                            for f in families), families
    assert not (VENDORED / "assets" / "fonts").exists()


def test_the_sass_build_is_pinned_to_the_vendored_version():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    vendored = dict(line.split()[:2] for line in (ROOT / "static/vendor/VERSIONS").read_text()
                    .splitlines() if line.strip())
    assert package["devDependencies"]["govuk-frontend"] == vendored["govuk-frontend"]
    assert lock["packages"]["node_modules/govuk-frontend"]["version"] == vendored["govuk-frontend"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", package["devDependencies"]["sass"])  # pinned exactly
