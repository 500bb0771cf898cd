import pandas as pd
import pytest

from analytics.kpis import PeriodComparison, by_status, compare_periods, weekly

END = pd.Timestamp("2026-06-30")


def daily(rows: dict[str, list[float]], days: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=pd.DatetimeIndex(pd.to_datetime(days), name="day"))


def test_by_status_pivots_and_fills_missing_statuses_with_zero():
    long = pd.DataFrame(
        {
            "day": pd.to_datetime(["2026-06-01", "2026-06-01", "2026-06-02"]),
            "status": ["completed", "no_show", "completed"],
            "sessions": [5, 1, 3],
        }
    )
    wide = by_status(long, value="sessions")
    assert wide.loc["2026-06-02", "no_show"] == 0
    assert wide["completed"].tolist() == [5, 3]


def test_compare_periods_sums_each_window_and_the_change():
    frame = daily({"n": [1, 2, 10, 20]}, ["2026-05-01", "2026-05-31", "2026-06-01", "2026-06-30"])
    result = compare_periods(frame, numerator="n", end=END, days=30)
    # The 30 days ending Jun 30 are Jun 1..30; the 30 before are May 2..31, so May 1 is out.
    assert result == PeriodComparison(current=30.0, previous=2.0)
    assert result.change == pytest.approx(14.0)


def test_compare_periods_ratio_is_none_without_a_denominator():
    frame = daily({"hit": [3, 4], "all": [0, 8]}, ["2026-05-15", "2026-06-15"])
    result = compare_periods(frame, numerator="hit", denominator="all", end=END)
    assert result.current == pytest.approx(0.5)
    assert result.previous is None
    assert result.change is None


def test_compare_periods_checks_its_window():
    with pytest.raises(ValueError, match="days must be positive; got 0"):
        compare_periods(daily({"n": [1]}, ["2026-06-01"]), numerator="n", end=END, days=0)


def test_weekly_totals_start_on_monday_and_fill_gaps_with_zero():
    series = daily({"n": [1, 2, 4]}, ["2026-06-14", "2026-06-15", "2026-06-28"])["n"]
    result = weekly(series, end=END, weeks=4)
    assert list(result.index.strftime("%Y-%m-%d")) == [
        "2026-06-08",
        "2026-06-15",
        "2026-06-22",
        "2026-06-29",
    ]
    # Sunday 14 June belongs to the week of Monday 8 June; the week of 22 June holds the 28th.
    assert result.tolist() == [1, 2, 4, 0]


def test_weekly_of_nothing_is_zeros_not_an_error():
    assert weekly(pd.Series(dtype=float), end=END, weeks=3).tolist() == [0, 0, 0]


def test_weekly_totals_can_stop_at_the_last_whole_week():
    from analytics.kpis import whole_weeks_to

    # Monday 7 December 2026 back to Sunday 29 November: each stops at the Sunday before,
    # a Sunday at itself.
    days = pd.date_range("2026-11-29", "2026-12-07")
    stops = [whole_weeks_to(d).strftime("%Y-%m-%d") for d in days]
    assert stops == ["2026-11-29", *["2026-11-29"] * 6, "2026-12-06", "2026-12-06"]
    # Wednesday's week is not drawn until it is whole: its three days do not read as a week.
    series = daily({"n": [5, 5, 5, 1, 1, 1]}, [f"2026-12-0{d}" for d in (1, 2, 3, 7, 8, 9)])["n"]
    wednesday = pd.Timestamp("2026-12-09")
    assert weekly(series, end=whole_weeks_to(wednesday), weeks=2).tolist() == [0, 15]
