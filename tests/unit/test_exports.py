"""Exports: every filtered row (not the page on screen), neutralised against formula
injection, named by the server, audited."""

from __future__ import annotations

import base64
import io

import pandas as pd
import pytest
from sqlalchemy import create_engine, select, update

import app as beacon  # noqa: F401  (pages register with the app)
from components.downloads import RISKY_START, file_name, neutralised
from data import audit as audit_log
from data import tutor_risk
from data.engine import connect, transaction
from data.models import Tutor
from data.seed import seed_database
from jobs import tutor_risk as tutor_risk_job
from pages import tutor_risk as page
from tests.conftest import AS_OF, SEED, acting_as
from tests.unit.dash_context import triggered

ATTACKS = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


def test_risky_text_cells_are_neutralised_and_the_rest_left_alone():
    frame = pd.DataFrame({"text": [*ATTACKS, "plain", "a=b"], "n": [-1, 2, 3, 4, 5, 6, 7, 8]})
    safe = neutralised(frame)
    assert all(v.startswith("'") for v in safe["text"][: len(ATTACKS)])
    assert list(safe["text"][-2:]) == ["plain", "a=b"] and list(safe["n"]) == list(frame["n"])
    assert not any(v.startswith(RISKY_START) for v in safe["text"])


def test_file_names_are_made_on_the_server():
    from datetime import UTC, datetime

    name = file_name("../../etc/passwd; rm -rf", datetime(2026, 6, 1, 12, tzinfo=UTC), "csv")
    assert name == "beacon-etc-passwd-rm-rf-20260601-120000.csv"


@pytest.fixture
def scored(sqlite_url, use_database):  # type: ignore[no-untyped-def]
    seed_database(create_engine(sqlite_url), scale="small", seed=SEED, as_of=AS_OF)
    use_database(sqlite_url)
    with transaction() as conn:  # a hostile name, as if typed into an HR system
        first = conn.execute(select(Tutor.id).where(Tutor.region_id == 1)).scalars().first()
        conn.execute(update(Tutor).where(Tutor.id == first).values(name=ATTACKS[0]))
    tutor_risk_job.run(weeks=1)


def download(fmt: str, *filters) -> tuple[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    button = page.ids.export_xlsx if fmt == "xlsx" else page.ids.export_csv
    triggered(button)
    sent = page.export_table(1 if fmt == "csv" else None, 1 if fmt == "xlsx" else None, *filters)
    raw = base64.b64decode(sent["content"]) if sent.get("base64") else sent["content"].encode()
    frame = (
        pd.read_excel(io.BytesIO(raw)) if fmt == "xlsx" else pd.read_csv(io.StringIO(raw.decode()))
    )
    return sent["filename"], frame


def expected_rows(*filters) -> tuple[pd.DataFrame, int]:  # type: ignore[no-untyped-def]
    with connect() as conn:
        _, query = page.table_query(page.View(*filters), conn)
        return tutor_risk.risk_table(**query, limit=10_000)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_holds_every_row_not_only_the_page_on_screen(scored, fmt):
    with acting_as("analyst"):
        name, frame = download(fmt, None, None, None, None, "score")
        expected, total = expected_rows(None, None, None, None, "score")
    assert len(frame) == total > page.PAGE_SIZE
    assert list(frame["tutor_id"]) == list(expected["tutor_id"])
    assert name.startswith("beacon-tutor-risk-") and name.endswith(f".{fmt}")


def test_the_export_follows_the_filters_and_the_scope(scored):
    with acting_as("manager", regions=(1,)):
        _, frame = download("csv", None, None, "low", None, "name")
        expected, total = expected_rows(None, None, "low", None, "name")
    assert len(frame) == total and list(frame["tutor_id"]) == list(expected["tutor_id"])
    assert set(frame["band"]) == {"low"} and set(frame["region"]) == {"N"}


def test_a_formula_in_the_data_comes_out_as_text_and_the_export_is_audited(scored):
    with acting_as("manager", regions=(1,)):
        _, frame = download("csv", None, None, None, None, "name")
    hostile = frame[frame["name"].str.contains("HYPERLINK")]["name"].iloc[0]
    assert hostile == "'" + ATTACKS[0]
    with connect() as conn:
        rows, _ = audit_log.audit_log(conn=conn, action="export", limit=1)
    assert "tutor-risk" in str(rows.iloc[0]["detail"]) and "csv" in str(rows.iloc[0]["detail"])
