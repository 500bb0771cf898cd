"""PE analytics against answers worked out by hand."""

import numpy as np
import pandas as pd
import pytest

from analytics.equipment import equipment_recommendations
from analytics.forecast import trend_forecast
from analytics.pe import (
    activity_recommendations,
    attendance_forecast,
    curriculum_coverage,
    performance_forecast,
    skill_gaps,
    weekly_attendance,
)
from analytics.pe_safety import safety_risk
from analytics.teams import balance_teams


def test_a_straight_line_is_extended_exactly_with_no_band():
    days = pd.date_range("2026-01-05", periods=6, freq="7D")
    history = pd.Series(2 + 0.5 * np.arange(6), index=days)
    out = trend_forecast(history, future=pd.date_range("2026-02-16", periods=2, freq="7D"))
    ahead = out[out["kind"] == "forecast"]
    assert ahead["value"].tolist() == pytest.approx([5.0, 5.5])
    assert (ahead["high"] - ahead["low"]).tolist() == pytest.approx([0.0, 0.0], abs=1e-9)
    assert (out["kind"] == "actual").sum() == 6


def test_noise_gives_a_band_that_widens_with_distance():
    days = pd.date_range("2026-01-05", periods=8, freq="7D")
    history = pd.Series([1.0, 3.0, 2.0, 4.0, 3.0, 5.0, 4.0, 6.0], index=days)
    out = trend_forecast(history, future=pd.date_range("2026-03-02", periods=3, freq="7D"))
    width = (out["high"] - out["low"])[out["kind"] == "forecast"].to_numpy()
    assert (width > 0).all() and width[0] < width[1] < width[2]


def test_too_little_history_gives_no_forecast_and_bad_windows_are_refused():
    history = pd.Series([0.9, 0.8], index=pd.date_range("2026-01-05", periods=2, freq="7D"))
    out = trend_forecast(history, future=pd.date_range("2026-02-02", periods=2, freq="7D"))
    assert out["kind"].tolist() == ["actual", "actual"]
    with pytest.raises(ValueError, match="window must be at least 3; got 2"):
        trend_forecast(history, future=pd.DatetimeIndex([]), window=2)


def test_weekly_attendance_is_marks_present_over_marks_expected():
    daily = pd.DataFrame(
        {
            "day": pd.to_datetime(["2026-01-05", "2026-01-07", "2026-01-12"]),
            "expected": [10, 30, 20],
            "present": [10, 20, 19],
        }
    )
    rate = weekly_attendance(daily)
    assert rate.tolist() == pytest.approx([30 / 40, 19 / 20])
    assert list(rate.index) == list(pd.to_datetime(["2026-01-05", "2026-01-12"]))
    forecast = attendance_forecast(daily, weeks=3)
    assert forecast["kind"].tolist() == ["actual", "actual"]  # two weeks: no trend yet


def test_attendance_forecast_stays_within_zero_and_one():
    days = pd.date_range("2026-01-05", periods=10, freq="7D")
    daily = pd.DataFrame({"day": days, "expected": 100, "present": np.arange(91, 101)})
    out = attendance_forecast(daily, weeks=4)
    assert out["high"].max() <= 1.0 and out["value"].iloc[-1] == pytest.approx(1.0)
    assert len(out[out["kind"] == "forecast"]) == 4


def test_skill_gaps_from_bins_against_grade_benchmarks():
    distribution = pd.DataFrame(
        {
            "grade": [1, 1, 2],
            "skill": ["balance", "balance", "balance"],
            "bin": [6, 8, 7],  # 30-35, 40-45, 35-40
            "n": [2, 2, 1],
            "total": [64.0, 84.0, 36.0],
        }
    )
    out = skill_gaps(distribution).set_index("grade")
    # Grade 1: benchmark 35, mean 148/4 = 37, half the students below 35.
    assert out.loc[1, "mean"] == pytest.approx(37.0)
    assert out.loc[1, "gap"] == pytest.approx(-2.0)
    assert out.loc[1, "share_below"] == pytest.approx(0.5)
    # Grade 2: benchmark 40, the one student at 36 is below it.
    assert out.loc[2, "gap"] == pytest.approx(4.0)
    assert out.loc[2, "share_below"] == pytest.approx(1.0)
    assert out.index[0] == 2  # furthest behind first


def test_teams_are_perfectly_balanced_when_that_is_possible():
    players = pd.DataFrame({"name": list("ABCDEFGH"), "score": [10, 9, 8, 7, 6, 5, 4, 3]})
    split = balance_teams(players, n_teams=2)
    assert split.spread == pytest.approx(0.0)
    assert split.teams["size"].tolist() == [4, 4]
    assert split.teams["total"].tolist() == [26, 26]
    assert sorted(split.players["name"]) == list("ABCDEFGH")


def test_team_sizes_differ_by_at_most_one_and_bad_requests_are_refused():
    players = pd.DataFrame({"score": [50.0, 40.0, 30.0, 20.0, 10.0, 60.0, 70.0]})
    split = balance_teams(players, n_teams=3)
    assert sorted(split.teams["size"]) == [2, 2, 3]
    with pytest.raises(ValueError, match="n_teams must be an integer of at least 2; got 1"):
        balance_teams(players, n_teams=1)
    with pytest.raises(ValueError, match="at most the number of players"):
        balance_teams(players, n_teams=8)


def test_safety_risk_shrinks_small_classes_and_adds_health_flags():
    exposure = pd.DataFrame(
        {
            "class_id": [1, 2],
            "class_name": ["A", "B"],
            "grade": [3, 3],
            "school_name": ["S", "S"],
            "sessions": [80, 20],
            "students": [20, 20],
            "flagged_students": [0, 10],
        }
    )
    incidents = pd.DataFrame(
        {"class_id": [1], "activity": ["gymnastics"], "severity": ["serious"], "n": [2]}
    )
    out = safety_risk(exposure, incidents, prior_sessions=20).set_index("class_id")
    # Overall 18 weighted / 100 lessons = 0.18. A: (18 + 3.6) / 100 = 0.216 -> index 1.2.
    # The rate shown is the class's own: 18 weighted in 80 lessons; B's, with none, is 0.
    assert out.loc[1, "rate_per_100"] == pytest.approx(22.5)
    assert out.loc[2, "rate_per_100"] == 0
    assert out.loc[1, "index"] == pytest.approx(1.2)
    assert out.loc[1, "band"] == "low" and out.loc[1, "top_activity"] == "gymnastics"
    # B: (0 + 3.6) / 40 = 0.09 -> 0.5, times 1.5 for half the class flagged = 0.75.
    assert out.loc[2, "index"] == pytest.approx(0.75)
    assert out.loc[2, "band"] == "low"
    # Without shrinkage A's own rate (0.225) is 1.25 times the average: the medium band.
    raw = safety_risk(exposure, incidents, prior_sessions=0).set_index("class_id")
    assert raw.loc[1, "index"] == pytest.approx(1.25) and raw.loc[1, "band"] == "medium"


def test_equipment_actions_follow_use_and_condition():
    use = pd.DataFrame(
        {
            "name": ["Broken", "Short", "Idle", "Fine", "Worn"],
            "quantity": [10, 20, 30, 20, 20],
            "condition": ["broken", "good", "good", "good", "worn"],
            "sessions_used": [5, 40, 0, 40, 40],
            "full_sessions": [0, 10, 0, 2, 0],
            "peak_used": [8, 19, 0, 12, 12],
        }
    )
    out = equipment_recommendations(use).set_index("name")
    assert out.loc["Broken", ["action", "amount"]].tolist() == ["replace", 10]
    assert out.loc["Short", ["action", "amount"]].tolist() == ["reorder", 3]  # ceil(22.8) - 20
    assert out.loc["Idle", ["action", "amount"]].tolist() == ["surplus", 30]
    assert out.loc["Fine", ["action", "amount"]].tolist() == ["ok", 0]
    assert out.loc["Worn", ["action", "amount"]].tolist() == ["reorder", 10]
    # Each reason says the action it comes with (a reorder read "replace 10 soon").
    for action, amount, reason in out[["action", "amount", "reason"]].itertuples(index=False):
        assert (action == "replace") == ("broken" in reason), reason
        assert action != "reorder" or f"order {amount} " in reason, reason
        assert action == "replace" or "replace" not in reason, reason  # "0 to replace" above
    assert equipment_recommendations(use)["action"].tolist()[0] == "replace"


def test_curriculum_coverage_against_an_even_share():
    plans = pd.DataFrame(
        {
            "planned_on": pd.to_datetime(["2026-01-05"] * 5 + ["2026-03-01"]),
            "focus_skill": ["locomotor"] * 4 + ["balance", "teamwork"],
        }
    )
    out = curriculum_coverage(plans, until=pd.Timestamp("2026-02-01")).set_index("skill")
    assert out.loc["locomotor", ["lessons", "status"]].tolist() == [4, "over"]
    assert out.loc["balance", ["share", "status"]].tolist() == [pytest.approx(0.2), "ok"]
    assert out.loc["teamwork", ["lessons", "upcoming", "status"]].tolist() == [0, 1, "under"]


def _class_means(means: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "class_id": 7,
            "class_name": "Grade 1 PE",
            "grade": 1,
            "skill": list(means),
            "assessed_on": pd.Timestamp("2026-03-01"),
            "mean": list(means.values()),
            "n": 20,
        }
    )


def test_activities_are_chosen_for_the_weakest_skill_and_lose_points_for_incidents():
    means = {"locomotor": 35, "ball_handling": 35, "balance": 25, "endurance": 35, "teamwork": 35}
    none = pd.DataFrame(columns=["class_id", "activity", "severity", "n"])
    first = activity_recommendations(_class_means(means), none)
    assert set(first["activity"]) == {"gymnastics", "dance"}  # both train balance first
    assert "balance (10.0 below benchmark)" in first["reason"].iloc[0]
    hurt = pd.DataFrame(
        {"class_id": [7], "activity": ["gymnastics"], "severity": ["moderate"], "n": [2]}
    )
    after = activity_recommendations(_class_means(means), hurt)
    assert after["activity"].tolist()[0] == "dance"  # gymnastics: 10 - 0.5 * 6 = 7


def test_activity_scores_match_the_pandas_lookups_they_replaced():
    """The scores read gaps and incident weights from dicts now (#26); on many classes, with
    missing skills, unknown grades and incidents, every score is the one the Series lookups
    gave."""
    from analytics.pe import ACTIVITY_SKILLS, GRADE_BENCHMARKS, SKILLS
    from vocabulary import SEVERITY_WEIGHTS

    chance = np.random.default_rng(3)
    rows = [
        (c, f"Class {c}", int(chance.integers(0, 8)), skill, day, float(chance.uniform(10, 60)))
        for c in range(40)
        for day in (pd.Timestamp("2026-02-01"), pd.Timestamp("2026-03-01"))
        for skill in SKILLS
        if chance.random() > 0.1
    ]
    means = pd.DataFrame(
        rows, columns=["class_id", "class_name", "grade", "skill", "assessed_on", "mean"]
    )
    incidents = pd.DataFrame(
        {
            "class_id": chance.integers(0, 40, 60),
            "activity": chance.choice(list(ACTIVITY_SKILLS), 60),
            "severity": chance.choice(list(SEVERITY_WEIGHTS), 60),
            "n": chance.integers(1, 4, 60),
        }
    )
    got = activity_recommendations(means, incidents, per_class=len(ACTIVITY_SKILLS))
    latest = means[
        means["assessed_on"] == means.groupby("class_id")["assessed_on"].transform("max")
    ]
    gap = latest.assign(gap=latest["grade"].map(GRADE_BENCHMARKS) - latest["mean"]).set_index(
        ["class_id", "skill"]
    )["gap"]
    weighted = incidents.assign(w=incidents["severity"].map(SEVERITY_WEIGHTS) * incidents["n"])
    risk = weighted.groupby(["class_id", "activity"])["w"].sum()
    for row in got.itertuples():
        parts = [float(gap.get((row.class_id, s), 0.0)) for s in ACTIVITY_SKILLS[row.activity]]
        score = sum(max(g, 0) * (1 if i == 0 else 0.5) for i, g in enumerate(parts))
        score -= 0.5 * float(risk.get((row.class_id, row.activity), 0.0))
        assert row.score == pytest.approx(score, nan_ok=True)
    assert len(got) == 40 * len(ACTIVITY_SKILLS)


def test_performance_forecast_extends_each_skill():
    rows = []
    for k, day in enumerate(pd.date_range("2026-01-05", periods=4, freq="42D")):
        rows.append(_class_means({"balance": 30 + 3 * k, "teamwork": 50.0}).assign(assessed_on=day))
    out = performance_forecast(pd.concat(rows), weeks=12)
    ahead = out[out["kind"] == "forecast"].set_index("skill")
    assert ahead.loc["teamwork", "value"].tolist() == pytest.approx([50.0, 50.0])
    # +3 points per 42 days; the last forecast is 84 days (12 weeks) past the last assessment.
    assert ahead.loc["balance", "value"].tolist() == pytest.approx([42.0, 45.0])


def test_the_next_lesson_day_is_the_classs_next_lesson_weekday_without_a_plan():
    from datetime import date

    from analytics.pe import next_lesson_day

    monday = date(2026, 12, 7)
    met = [date(2026, 11, 23), date(2026, 11, 26), date(2026, 11, 30), date(2026, 12, 3)]
    assert next_lesson_day(met, set(), today=monday) == date(2026, 12, 10)  # a Thursday
    planned = {date(2026, 12, 10)}
    assert next_lesson_day(met, planned, today=monday) == date(2026, 12, 14)  # the Monday after
    assert next_lesson_day([], set(), today=monday) == date(2026, 12, 8)  # no lessons lately
    assert next_lesson_day([], {date(2026, 12, 8)}, today=monday) == date(2026, 12, 9)


def test_a_plans_equipment_is_what_its_activities_are_played_with():
    from analytics.pe import equipment_for

    store = ["Cones", "Bibs", "Gym mats", "Basketballs", "Rounders bats", "Footballs", "Hurdles"]
    assert equipment_for(["football", "rounders"], store) == [
        "Cones",
        "Bibs",
        "Rounders bats",
        "Footballs",
    ]
    assert equipment_for(["dance"], store) == ["Gym mats"]
    assert equipment_for(["dance"], ["Sprung floor"]) == ["Sprung floor"]  # no name says


def test_a_class_whose_lesson_days_are_all_planned_gets_its_next_lesson_day():
    from datetime import date, timedelta

    from analytics.pe import next_lesson_day

    monday = date(2026, 12, 7)
    met = [date(2026, 11, 30)]  # Mondays
    every = {monday + timedelta(days=7 * n) for n in range(1, 5)}
    assert next_lesson_day(met, every, today=monday) == date(2026, 12, 14)
