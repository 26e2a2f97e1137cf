"""Demo services: the sample Open Referral UK feeds (directory/sample), imported through the
same code path as `manage.py import_services`. Safe to re-run (matched by feed id)."""

from pathlib import Path

from . import oruk
from .services import ImportResult, services_import

SAMPLES = Path(__file__).resolve().parent / "sample"


def demo_services_ensure() -> ImportResult:
    rows = oruk.parse_json((SAMPLES / "services.json").read_text(encoding="utf-8"))
    rows += oruk.parse_csv((SAMPLES / "services.csv").read_text(encoding="utf-8"))
    return services_import(rows)
