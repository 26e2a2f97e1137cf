"""No `except ImportError: pass` in bench/: the modules it imports are the project's own, so a
failed import is a broken bench, to be seen, not skipped (bench/multi.py swallowed one around
the dashboard's summaries, written when that module did not exist yet)."""

import ast
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _swallowed(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
            if names & {"ImportError", "ModuleNotFoundError"} and all(
                    isinstance(statement, ast.Pass) for statement in node.body):
                lines.append(node.lineno)
    return lines


def test_bench_swallows_no_import_error():
    found = {path.name: lines for path in sorted(BENCH.glob("*.py"))
             if (lines := _swallowed(path))}
    assert found == {}


def test_the_dashboard_summaries_the_bench_rebuilds_exist():
    from dashboard.refresh import summaries_rebuild

    assert callable(summaries_rebuild)
