"""One stacked-table pattern (`portal-table--stack`): the portal had two spellings with two
breakpoints, so a list stacked on one page and scrolled sideways on the next."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SOURCES = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html"),
           *ROOT.glob("static/portal/*.css"), *ROOT.glob("frontend/*.scss")]


def test_only_one_stacked_table_class_is_used_or_defined():
    found = {name for path in SOURCES
             for name in re.findall(r"portal-table-{1,2}stack", path.read_text())}
    assert found == {"portal-table--stack"}


def test_the_pattern_is_defined_once_with_one_breakpoint():
    css = (ROOT / "static/portal/portal.css").read_text()
    blocks = re.findall(r"@media \(max-width: ([0-9.]+em)\) \{[^@]*?portal-table--stack thead", css)
    assert len(blocks) == 1
