"""#26: the kept monitoring report's frames are read back without `pd.read_json`, the same
frames it reads."""

import io

import numpy as np
import pandas as pd
import pytest

from data.credit import table_frame

FRAMES = {
    "drift": pd.DataFrame(
        {
            "feature": ["age", "income", None],
            "psi": [0.0267969898, np.nan, 1 / 3],
            "status": ["stable", "watch", "act"],
        }
    ),
    "monthly": pd.DataFrame(
        {
            "month": pd.to_datetime(["2024-12-01T00:00:00.000", "2025-01-01T13:45:01.250", None]),
            "q25": [529.0, 530.5, np.nan],
            "n": [2561, 3, 0],
        }
    ),
    "bad rates": pd.DataFrame(
        {
            "quarter": pd.to_datetime(["2024-10-01", "2025-01-01"]),
            "band": ["low", "critical"],
            "loans": [603, 12],
            "bad_rate": [0.0298507463, 0.5],
            "flag": [True, False],
        }
    ),
    "empty": pd.DataFrame(
        {
            "feature": pd.Series([], dtype="str"),
            "month": pd.Series([], dtype="datetime64[ns]"),
            "n": pd.Series([], dtype="int64"),
        }
    ),
    # Read by pandas itself: text without its dtype, a zone, a category, a missing whole
    # number, an index.
    "object text": pd.DataFrame({"x": pd.Series(["a", None], dtype=object)}),
    "zoned": pd.DataFrame({"t": pd.to_datetime(["2024-10-01T10:00:00Z"])}),
    "category": pd.DataFrame({"c": pd.Categorical(["a", "b", "a"])}),
    "missing count": pd.DataFrame({"n": pd.array([1, None], dtype="Int64")}),
}


@pytest.mark.parametrize("name", FRAMES)
def test_a_kept_frame_reads_back_as_pandas_reads_it(name):
    text = FRAMES[name].to_json(orient="table", date_format="iso", index=False)
    read = table_frame(text)
    # pandas' own JSON reader rounds some decimals an ulp off; ours reads them exactly.
    pd.testing.assert_frame_equal(
        read, pd.read_json(io.StringIO(text), orient="table"), check_exact=False, rtol=1e-15
    )
    if name == "drift":
        assert read["psi"][2] == float("0.3333333333")  # as written, to the last digit


def test_a_frame_with_an_index_is_read_with_it():
    frame = pd.DataFrame({"v": [1.5, 2.5]}, index=pd.Index(["a", "b"], name="k"))
    text = frame.to_json(orient="table", date_format="iso")
    pd.testing.assert_frame_equal(table_frame(text), frame)
