"""docs/security.md's "Faults" table says which test proves "zero referrals lost, zero notices
lost, zero duplicates" for each fault: every test it names must exist, and every fault test
must be in it, so the table cannot quietly drift from the tests."""

import ast
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parents[1] / "docs" / "security.md"


def faults_section() -> str:
    text = DOCS.read_text()
    start = text.index("## Faults")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_the_faults_table_names_every_fault_test_and_only_real_ones():
    section = faults_section()
    assert "zero referrals lost, zero notices lost, zero duplicates" in section
    named = set(re.findall(r"(test_faults\w*\.py)::(test_\w+)", section))
    assert named, "the table names no tests"
    existing = {(path.name, name) for path in HERE.glob("test_faults*.py")
                if path.name != Path(__file__).name for name in defined_tests(path)}
    assert named - existing == set(), "named in the table but not a test"
    assert existing - named == set(), "a fault test missing from the table"
