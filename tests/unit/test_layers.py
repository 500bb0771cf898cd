"""Writes go through actions/: no page, API endpoint, nor the app shell, opens a write
transaction or imports a write function from data/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The API is an adapter like the pages (its idempotency record is kept by auth/, like sessions).
API = sorted((ROOT / "api").glob("*.py"))
WIDGETS = sorted((ROOT / "widgets").glob("*.py"))  # All-in-One widgets answer like pages
UI = [*sorted((ROOT / "pages").glob("*.py")), *WIDGETS, ROOT / "app.py", *API]
WRITE_VERBS = re.compile(
    r"^(add|save|create|delete|update|set|revoke|record|mark|replace|store|raise|keep|"
    r"rebuild|cancel|claim|take|release|finish|start|consume|link|touch)_"
)


def tree_of(path: Path) -> ast.Module:
    return ast.parse(path.read_text())


def test_no_page_and_not_the_shell_opens_a_write_transaction():
    writing = [
        path.name
        for path in UI
        for node in ast.walk(tree_of(path))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "transaction"
    ]
    assert writing == []


def test_no_page_imports_a_write_function_from_data():
    imported = [
        f"{path.name}: {node.module}.{alias.name}"
        for path in UI
        for node in ast.walk(tree_of(path))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("data")
        for alias in node.names
        if alias.name == "transaction" or WRITE_VERBS.match(alias.name)
    ]
    assert imported == []


def data_modules(tree: ast.Module) -> set[str]:
    """The names a file gives to modules of data/ (`from data import credit as c` -> c)."""
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module in ("data", "data.queries")
        for alias in node.names
    }


def test_no_page_calls_a_write_function_of_a_data_module():
    called = []
    for path in UI:
        tree = tree_of(path)
        modules = data_modules(tree)
        called += [
            f"{path.name}: {node.func.value.id}.{node.func.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in modules
            and WRITE_VERBS.match(node.func.attr)
        ]
    assert called == []
