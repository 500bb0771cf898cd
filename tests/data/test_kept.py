"""The kept-table registry names real tables in an order that lets a change pass on, and
only it builds kept tables (that a write keeps them equal to a recount is tested with the
writes: tests/actions/test_credit.py, tests/unit/test_credit_pages.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from data import kept
from data.models import Base

ROOT = Path(__file__).resolve().parents[2]
BUILDER_MODULES = {
    "data/rollups.py",
    "data/credit.py",
    "data/loans.py",
    "data/pricing.py",
    "data/schedules.py",
    "data/utilisation.py",
}
BUILDERS = {
    "rebuild_session_days",
    "rebuild_application_days",
    "rebuild_journey_days",
    "rebuild_journey_months",
    "rebuild_risk_band_counts",
    "rebuild_loan_book",
    "rebuild_customer_counts",
    "count_attendees",
    "refresh_latest_scores",
    "keep_loan_standings",
    "follow_latest_scores",
    "keep_score_sums",
    "follow_applications",
    "keep_windows",
    "follow_sessions",
    "keep_watch_loans",
}


def test_every_kept_table_and_source_exists_and_sources_come_first():
    tables = set(Base.metadata.tables)
    seen: set[str] = set()
    for entry in kept.KEPT:
        assert entry.table in tables
        assert entry.sources <= tables, entry.table
        kept_sources = {s for s in entry.sources if s in kept.BY_TABLE}
        assert kept_sources <= seen, f"{entry.table} is listed before {kept_sources - seen}"
        assert entry.readers  # a table with no keys is always built whole
        seen.add(entry.table)


def test_only_the_registry_calls_the_builders():
    """Writes say what they changed (`kept.follow`); none recounts a kept table inline."""
    callers = []
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in {".venv", "tests"} or path.name == "kept.py":
            continue
        builders_module = str(path.relative_to(ROOT)) in BUILDER_MODULES
        for outer in ast.walk(ast.parse(path.read_text())):
            if not isinstance(outer, ast.FunctionDef) or (
                builders_module and outer.name in BUILDERS
            ):
                continue  # a builder may use another for its part (follow -> keep)
            for node in ast.walk(outer):
                name = getattr(getattr(node, "func", None), "attr", None) or getattr(
                    getattr(node, "func", None), "id", ""
                )
                if isinstance(node, ast.Call) and name in BUILDERS:
                    callers.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert callers == []


@pytest.mark.db
def test_two_recounts_of_a_kept_table_at_once_take_turns(postgres_url):
    """Two loads recounting the same kept table: the second waits for the first to commit
    and then replaces its rows. Without the lock it deleted only what was committed before
    it and inserted too: the loan book's key broke (or a daily count was counted twice)."""
    import threading

    from sqlalchemy import func, insert, literal, select

    from data.engine import engine_for
    from data.models import LoanBook, Region
    from data.queries.sql import replace_rows

    engine = engine_for(postgres_url)
    with engine.begin() as conn:
        region = conn.execute(
            insert(Region).values(code="N", name="North").returning(Region.id)
        ).scalar_one()
    counted = select(
        literal(region).label("region_id"),
        literal(2).label("loans"),
        literal(5000.0).label("principal"),
        literal(1).label("in_arrears"),
    )
    failures: list[BaseException] = []

    def second() -> None:
        try:
            with engine.begin() as conn:
                replace_rows(conn, LoanBook, counted)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    with engine.connect() as first:
        with first.begin():
            replace_rows(first, LoanBook, counted)
            other = threading.Thread(target=second)
            other.start()
            other.join(1.0)
            assert other.is_alive()  # waiting for the first to commit
        other.join(30)
    assert not other.is_alive() and failures == []
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(LoanBook)).scalar_one() == 1
