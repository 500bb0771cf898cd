"""Writes go through actions/: which pages still open a write transaction themselves.

The list below only shrinks. A page moved to the actions layer leaves it (the test fails
until it does, so the list stays true); a new page never joins it.
"""

from __future__ import annotations

import ast
from pathlib import Path

PAGES = Path(__file__).resolve().parents[2] / "pages"
# Issue #19: the PE board still saves itself; it moves with the widget registry.
NOT_YET_MOVED = {
    "pe_dashboard",
}


def opens_a_transaction(path: Path) -> bool:
    tree = ast.parse(path.read_text())
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "transaction"
        for node in ast.walk(tree)
    )


def test_pages_that_write_themselves_are_only_those_not_yet_moved():
    writing = {path.stem for path in PAGES.glob("*.py") if opens_a_transaction(path)}
    assert writing == NOT_YET_MOVED


def test_no_page_but_those_imports_the_write_transaction():
    for name in sorted(path.stem for path in PAGES.glob("*.py")):
        tree = ast.parse((PAGES / f"{name}.py").read_text())
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "data.engine"
            for alias in node.names
        }
        assert "transaction" not in imported or name in NOT_YET_MOVED, name
