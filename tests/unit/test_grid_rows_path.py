"""A grid block's rows (#26: built column by column) against the pandas path they replaced:
the same JSON, value types included, for every kind of column the pages send."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from plotly.utils import PlotlyJSONEncoder

from components.grid_columns import GridColumn
from widgets.grid import _iso_day, rows_response


def old_rows_response(frame: pd.DataFrame, total: int, columns: list[GridColumn]) -> dict:
    shown = frame.copy()
    for c in columns:
        if c.field in shown and c.kind == "date":
            shown[c.field] = shown[c.field].map(_iso_day)
    shown = shown.astype(object).where(shown.notna(), None)
    return {"rowData": shown.to_dict("records"), "rowCount": int(total)}


COLUMNS = [
    GridColumn("name", "Name"),
    GridColumn("score", "Score", kind="number"),
    GridColumn("disbursed_on", "Disbursed", kind="date"),
    GridColumn("written_day", "Day", kind="date"),  # a page that wrote its own days
    GridColumn("as_of", "As of", kind="date"),
]


def block(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(rows)
    gaps = rng.random(rows) < 0.2
    days = pd.to_datetime("2026-01-01") + pd.to_timedelta(rng.integers(0, 300, rows), unit="D")
    return pd.DataFrame(
        {
            "loan_id": np.arange(rows, dtype=np.int64) + 10,
            "name": pd.array([None if g else f"Name {i}" for i, g in enumerate(gaps)], dtype="str"),
            "score": np.where(gaps, np.nan, rng.normal(550, 40, rows)),
            "count": pd.array([None if g else i for i, g in enumerate(gaps)], dtype="Int64"),
            "flag": rng.random(rows) < 0.5,
            "disbursed_on": days.where(~gaps),
            "written_day": [None if g else "2026-03-04" for g in gaps],
            "as_of": pd.to_datetime(days, utc=True),
            "note": ([None, "x", np.int64(3), 2.5, np.float64(1.5)] * rows)[:rows],
        }
    )


@pytest.mark.parametrize("rows", [0, 1, 7, 100])
def test_a_block_of_rows_is_sent_as_before(rows):
    frame = block(rows)
    new, old = rows_response(frame, 1234, COLUMNS), old_rows_response(frame, 1234, COLUMNS)
    assert json.dumps(new, cls=PlotlyJSONEncoder) == json.dumps(old, cls=PlotlyJSONEncoder)
    for got, was in zip(new["rowData"], old["rowData"], strict=True):
        assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in was.items()}


def test_a_block_without_columns_keeps_its_rows():
    frame = pd.DataFrame(index=range(3))
    assert rows_response(frame, 3, COLUMNS) == old_rows_response(frame, 3, COLUMNS)
