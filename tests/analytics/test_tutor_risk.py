"""Tutor risk analytics: features without leakage, the estimator, the evaluation, the playbook."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils.validation import NotFittedError

from analytics.interventions import DUE_IN_DAYS, left_by, recognition, recommend
from analytics.tutor_features import (
    FEATURES,
    RISKY_WHEN,
    left_within,
    snapshots,
    tutor_features,
)
from analytics.tutor_risk import (
    BANDS,
    TutorRiskModel,
    bands_by_rank,
    calibration_table,
    evaluate,
    percentile_of,
)
from data.seed import generate

AS_OF = date(2026, 6, 15)
D = pd.Timestamp("2026-03-02", tz="UTC")


@pytest.fixture(scope="module")
def demo():
    frames = generate("small", 3, AS_OF)
    return frames["tutoring_sessions"], frames["tutors"]


@pytest.fixture(scope="module")
def training(demo):
    sessions, tutors = demo
    dates = pd.date_range("2025-01-06", "2026-05-11", freq="7D", tz="UTC")
    return snapshots(sessions, tutors, dates)


def test_features_use_nothing_on_or_after_the_date(demo):
    sessions, tutors = demo
    before = tutor_features(sessions, tutors, D)
    # Rewrite the future: drop it, scramble it, and reveal nobody's leave date.
    past = sessions[sessions["scheduled_start"] < D]
    future = sessions[sessions["scheduled_start"] >= D].copy()
    future["status"] = "no_show"
    future["rating"] = pd.array([1] * len(future), dtype="Int64")
    hidden = tutors.assign(
        left_on=[
            d if d is not None and pd.Timestamp(d) <= D.tz_localize(None) else None
            for d in tutors["left_on"]
        ]
    )
    pd.testing.assert_frame_equal(before, tutor_features(past, hidden, D))
    pd.testing.assert_frame_equal(before, tutor_features(pd.concat([past, future]), hidden, D))


def test_features_cover_employed_tutors_only(demo):
    sessions, tutors = demo
    features = tutor_features(sessions, tutors, D)
    hired = pd.to_datetime(tutors.set_index("id")["hired_on"])
    left = pd.to_datetime(tutors.set_index("id")["left_on"])
    day = D.tz_localize(None)
    employed = hired[(hired < day) & ~(left <= day)].index
    assert set(features.index) == set(employed)
    assert list(features.columns) == FEATURES


def test_features_match_a_hand_count_for_one_tutor(demo):
    sessions, tutors = demo
    features = tutor_features(sessions, tutors, D)
    tutor = features.index[0]
    mine = sessions[
        (sessions["tutor_id"] == tutor)
        & (sessions["scheduled_start"] < D)
        & (sessions["scheduled_start"] >= D - pd.Timedelta(days=30))
    ]
    held = mine[mine["status"] != "scheduled"]
    assert features.loc[tutor, "sessions_30d"] == len(held)
    assert features.loc[tutor, "no_show_rate_30d"] == pytest.approx(
        (held["status"] == "no_show").mean()
    )


def test_the_label_is_leaving_within_30_days(demo):
    _, tutors = demo
    labels = left_within(tutors, D)
    left = pd.to_datetime(tutors.set_index("id")["left_on"])
    day = D.tz_localize(None)
    expected = ((left > day) & (left <= day + pd.Timedelta(days=30))).astype(int)
    assert labels.to_dict() == expected.to_dict()


def test_the_estimator_follows_scikit_learn_rules(training):
    model = TutorRiskModel()
    with pytest.raises(NotFittedError):
        model.predict_proba(training)
    assert model.fit(training, training["left_30d"]) is model
    assert hasattr(model, "pipeline_") and model.n_features_in_ == len(FEATURES)
    assert clone(model).get_params() == {"C": 0.5, "top_n": 3, "calls_per_week": 40}
    p = model.predict_proba(training)
    assert p.shape == (len(training), 2) and np.allclose(p.sum(axis=1), 1)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"C": 0}, "C must be a positive number; got 0"),
        ({"top_n": 0}, "top_n must be a positive integer; got 0"),
        ({"calls_per_week": 0}, "calls_per_week must be a positive integer; got 0"),
    ],
)
def test_bad_parameters_get_a_clear_message(training, params, message):
    with pytest.raises(ValueError, match=message):
        TutorRiskModel(**params).fit(training, training["left_30d"])


def test_one_class_or_missing_columns_are_refused(training):
    with pytest.raises(ValueError, match="y must hold both 0 and 1"):
        TutorRiskModel().fit(training, np.zeros(len(training)))
    with pytest.raises(ValueError, match="missing"):
        TutorRiskModel().fit(training.drop(columns=["load_30d"]), training["left_30d"])


def test_each_tutors_factors_are_their_own_and_add_up_to_the_log_odds(training):
    model = TutorRiskModel().fit(training, training["left_30d"])
    rows = training.tail(200)
    pushes = model.contributions(rows)
    intercept = model.pipeline_.named_steps["model"].intercept_[0]
    log_odds = np.log(model.predict_proba(rows)[:, 1] / model.predict_proba(rows)[:, 0])
    assert np.allclose(pushes.sum(axis=1) + intercept, log_odds)
    assessed = model.assess(rows)
    assert set(assessed["band"]) <= set(BANDS)
    assert assessed["score"].between(0, 100).all()
    top = assessed["top_factors"].iloc[int(np.argmax(assessed["probability"]))]
    riskiest = pushes.iloc[int(np.argmax(assessed["probability"]))]
    scaled = pd.Series(
        model.pipeline_.named_steps["features"].transform(rows[FEATURES])[
            int(np.argmax(assessed["probability"]))
        ],
        index=FEATURES,
    )
    # The largest pushes up, among the features whose value lies the worrying way.
    worrying = [
        f
        for f in FEATURES
        if RISKY_WHEN.get(f) is None or (scaled[f] > 0) == (RISKY_WHEN[f] == "high")
    ]
    expected = riskiest[worrying]
    assert [f["feature"] for f in top] == list(expected[expected > 0].nlargest(3).index)
    assert len({tuple(f["feature"] for f in t) for t in assessed["top_factors"]}) > 1


@pytest.fixture(scope="module")
def medium():
    """Medium demo data (seed 3) and its snapshots every 14 days to 2026-05-11."""
    frames = generate("medium", 3, AS_OF)
    dates = pd.date_range("2025-01-06", "2026-05-11", freq="14D", tz="UTC")
    return frames, snapshots(frames["tutoring_sessions"], frames["tutors"], dates)


def test_a_reason_never_points_against_what_it_says(medium):
    """No tutor is told that a value on the reassuring side of the average is a reason for
    risk: more sessions than usual, a better rating, fewer missed sessions."""
    frames, history = medium
    model = TutorRiskModel().fit(history, history["left_30d"])
    today = tutor_features(frames["tutoring_sessions"], frames["tutors"], D)
    # The average the model's standardising step measures from.
    scale = model.pipeline_.named_steps["features"].named_transformers_["numeric"]
    average = dict(zip(FEATURES, scale.named_steps["scale"].mean_, strict=True))
    named = 0
    for factors, (_, row) in zip(model.assess(today)["top_factors"], today.iterrows(), strict=True):
        for factor in factors:
            side, value = RISKY_WHEN.get(factor["feature"]), row[factor["feature"]]
            if side is None or pd.isna(value):
                continue
            named += 1
            assert (value > average[factor["feature"]]) == (side == "high"), factor
    assert named > 100


def test_bands_are_the_call_list_at_the_teams_capacity():
    """Two calls a week among ten tutors: the two most likely to leave are critical (this
    week's calls), the next two high, the four after medium, the rest low; a tie keeps the
    given order, and anyone below the average tutor's chance is low wherever they rank."""
    p = [0.01, 0.30, 0.02, 0.20, 0.05, 0.05, 0.04, 0.03, 0.10, 0.002]
    assert bands_by_rank(p, calls=2).tolist() == [
        "low",
        "critical",
        "medium",
        "critical",
        "high",
        "medium",
        "medium",
        "medium",
        "high",
        "low",
    ]
    assert bands_by_rank(p, calls=2, floor=0.045).tolist() == [
        "low",
        "critical",
        "low",
        "critical",
        "high",
        "medium",
        "low",
        "low",
        "high",
        "low",
    ]
    # A team that can call everyone still calls only those more likely than average.
    assert set(bands_by_rank(p, calls=100, floor=0.05)) == {"critical", "low"}
    with pytest.raises(ValueError, match="calls must be a positive integer; got 0"):
        bands_by_rank(p, calls=0)


def test_the_percentile_is_the_share_of_tutors_less_likely_to_leave():
    assert percentile_of([0.3, 0.1, 0.2, 0.1]).tolist() == [75, 0, 50, 0]
    assert percentile_of(np.linspace(0, 1, 1000)).max() == 99
    assert percentile_of([]).tolist() == []


def test_the_time_split_evaluation_finds_the_hidden_signal(medium):
    _, history = medium
    card, _ = evaluate(history, split=pd.Timestamp("2025-11-03", tz="UTC"), seed=1)
    assert card.positives_in_test >= 20
    assert card.roc_auc > 0.7  # the generator's leave process shows weeks ahead
    assert card.brier < card.base_rate  # better than knowing nothing
    assert card.tested_on >= "2025-11-03" > card.trained_on
    # The team's 40 calls a week reach leavers far better than random calls would.
    assert card.capacity["calls_per_week"] == 40 and card.capacity["lift"] > 3
    assert 0 < card.capacity["share"] < 0.2 and card.capacity["recall"] > card.capacity["share"]
    assert len(card.reach_curve) >= 10


def test_calibration_bins_each_expect_the_same_number_of_leavers():
    """Ten tutors at 10% expect one leaver, as do two at 50%: two bins, one of each."""
    p = np.array([0.1] * 10 + [0.5] * 2)
    y = np.array([0] * 9 + [1] + [1, 0])
    assert calibration_table(y, p, bins=2, leavers_per_bin=1) == [
        {"predicted": 0.1, "observed": 0.1, "tutors": 10.0, "leavers": 1.0},
        {"predicted": 0.5, "observed": 0.5, "tutors": 2.0, "leavers": 1.0},
    ]
    # Too few leavers for ten a bin: fewer bins, never an empty comparison.
    rng = np.random.default_rng(0)
    p = rng.beta(0.5, 20, 2000)
    y = (rng.random(2000) < p).astype(int)
    table = calibration_table(y, p)
    assert len(table) == min(5, y.sum() // 10) and min(r["leavers"] for r in table) >= 5
    assert sum(r["tutors"] for r in table) == 2000


def test_recommendations_follow_the_top_factors_and_the_band():
    factors = [
        {"feature": "no_show_rate_30d", "label": "No-shows"},
        {"feature": "rating_trend", "label": "Rating trend"},
        {"feature": "reschedule_rate_30d", "label": "Reschedules"},
    ]
    recs = recommend(factors, "critical", date(2026, 6, 1))
    assert [r.kind for r in recs] == ["scheduling_support", "coaching"]
    assert all(r.due_on == date(2026, 6, 4) for r in recs)
    assert recommend(factors, "medium", date(2026, 6, 1))[0].due_on == date(2026, 6, 15)
    assert recommend(factors, "low", date(2026, 6, 1)) == []
    assert recommend([], "high", date(2026, 6, 1))[0].kind == "retention_interview"
    with pytest.raises(ValueError, match="band must be one of"):
        recommend(factors, "severe", date(2026, 6, 1))
    assert DUE_IN_DAYS["critical"] < DUE_IN_DAYS["high"] < DUE_IN_DAYS["medium"]


def test_excellent_low_risk_tutors_are_recognised():
    assert recognition(4.8, "low", date(2026, 6, 1)).kind == "recognition"
    assert recognition(4.8, "high", date(2026, 6, 1)) is None
    assert recognition(4.2, "low", date(2026, 6, 1)) is None


@pytest.mark.parametrize(
    ("left_on", "expected"),
    [
        (None, None),
        (float("nan"), None),
        (pd.NaT, None),
        (date(2026, 6, 16), None),  # notice given: still worth a call
        (date(2026, 6, 15), date(2026, 6, 15)),
        (date(2026, 1, 2), date(2026, 1, 2)),
    ],
)
def test_a_tutor_has_left_once_their_leaving_day_has_come(left_on, expected):
    assert left_by(left_on, AS_OF) == expected


def test_an_effect_is_read_after_its_window_against_similar_tutors():
    from analytics.interventions import effectiveness, matched_controls

    t = lambda day: pd.Timestamp(day, tz="UTC")  # noqa: E731
    # Tutor 1 got coaching from 1 to 10 March; tutor 2's coaching ended on 15 April, and
    # tutor 5 had one from 5 March; on 20 April only tutor 1's 30-day window has closed.
    finished = pd.DataFrame(
        {
            "tutor_id": [1, 2],
            "kind": ["coaching", "coaching"],
            "created_at": [t("2026-03-01"), t("2026-04-12")],
            "completed_at": [t("2026-03-10"), t("2026-04-15")],
        }
    )
    intervened = pd.DataFrame(
        {"tutor_id": [1, 2, 5], "created_at": [t("2026-03-01"), t("2026-04-12"), t("2026-03-05")]}
    )
    start = {1: (60, "high"), 2: (58, "high"), 3: (70, "high"), 4: (20, "low"), 5: (61, "high")}
    close = {1: 40, 2: 55, 3: 64, 4: 22, 5: 30}
    scores = pd.DataFrame(
        [(k, t("2026-02-28"), v, band) for k, (v, band) in start.items()]
        + [(k, t("2026-04-08"), v, "high") for k, v in close.items()]
        # Nearer still, but not similar: 6 left (no score after the intervention ended),
        # and 7's score at the start was seven weeks old.
        + [(6, t("2026-02-28"), 59, "high"), (7, t("2026-01-10"), 60, "high")]
        + [(7, t("2026-04-08"), 10, "medium")],
        columns=["tutor_id", "as_of", "score", "band"],
    )
    held = {1: (2, 5), 2: (3, 3), 3: (2, 4)}  # held sessions in the 30 days before / after
    sessions = pd.DataFrame(
        [(k, t("2026-02-20"), "completed") for k, (b, _) in held.items() for _ in range(b)]
        + [(k, t("2026-03-20"), "completed") for k, (_, a) in held.items() for _ in range(a)]
        + [(1, t("2026-03-21"), "scheduled"), (3, t("2026-01-05"), "completed")],
        columns=["tutor_id", "scheduled_start", "status"],
    )
    as_of = t("2026-04-20")
    controls = matched_controls(finished, scores, intervened, as_of=as_of, matches=2)
    # Same band at the start, nearest in score, scored again after, no intervention of their
    # own: 2 then 3 (5 had one, 4 was low, 6 and 7 above); tutor 2's own is too early.
    assert controls.to_dict("records") == [
        {"intervention": 0, "tutor_id": 2},
        {"intervention": 0, "tutor_id": 3},
    ]
    row = effectiveness(finished, scores, sessions, controls, as_of=as_of).iloc[0]
    assert row["kind"] == "coaching" and row["measured"] == 1 and row["too_early"] == 1
    # Risk: 60 -> 40 against (58 -> 55, 70 -> 64): -20 against -4.5, an effect of -15.5.
    assert row["risk_change"] == -20 and row["similar_risk_change"] == -4.5
    assert row["risk_effect"] == -15.5
    # Held sessions: 2 -> 5 against (3 -> 3, 2 -> 4): +3 against +1, an effect of +2.
    assert row["activity_change"] == 3 and row["similar_activity_change"] == 1
    assert row["activity_effect"] == 2
    assert row["similar_tutors"] == 2 and not row["enough"]  # one is too few to mean much


def test_an_effect_is_too_early_until_its_window_closes():
    from analytics.interventions import effectiveness, matched_controls

    t = lambda day: pd.Timestamp(day, tz="UTC")  # noqa: E731
    finished = pd.DataFrame(
        {
            "tutor_id": [1],
            "kind": ["peer_mentoring"],
            "created_at": [t("2026-06-01")],
            "completed_at": [t("2026-06-01 09:00")],
        }
    )
    scores = pd.DataFrame(
        {
            "tutor_id": [1, 2],
            "as_of": [t("2026-05-30"), t("2026-05-30")],
            "score": [50, 52],
            "band": ["medium", "medium"],
        }
    )
    sessions = pd.DataFrame(columns=["tutor_id", "scheduled_start", "status"])
    minutes_later = t("2026-06-01 09:05")
    controls = matched_controls(finished, scores, finished, as_of=minutes_later)
    assert controls.empty
    row = effectiveness(finished, scores, sessions, controls, as_of=minutes_later).iloc[0]
    assert row["measured"] == 0 and row["too_early"] == 1 and pd.isna(row["risk_effect"])
    assert effectiveness(finished.iloc[0:0], scores, sessions, controls, as_of=minutes_later).empty


def test_newly_critical_are_critical_now_and_were_not_a_week_before():
    from analytics.tutor_risk import newly_critical

    scores = pd.DataFrame(
        {
            "tutor_id": [1, 2, 3, 1, 2, 3, 4],
            "as_of": pd.to_datetime(["2026-11-09"] * 3 + ["2026-11-16"] * 4),
            "band": ["critical", "high", "low", "critical", "critical", "low", "critical"],
        }
    )
    assert newly_critical(scores).tolist() == [2, 4]
    assert newly_critical(scores.iloc[:3]).tolist() == [1]
    assert newly_critical(scores.iloc[0:0]).tolist() == []


def test_the_call_list_reaches_leavers_date_by_date():
    """Two dates of ten tutors, two leavers each; calling the riskiest 20% (two a date)
    reaches one leaver on the first date and both on the second: 3 of the 4 called leave,
    3 of the 4 leavers are reached, 3.75 times the 20% base rate."""
    from analytics.tutor_risk import call_list, reach_table

    test = pd.DataFrame(
        {
            "as_of": ["2026-01-05"] * 10 + ["2026-01-19"] * 10,
            "left_30d": [1, 0, 1] + [0] * 7 + [1, 1] + [0] * 8,
        }
    )
    p = np.array([0.9, 0.8, 0.1] + [0.05] * 7 + [0.7, 0.6] + [0.1] * 8)
    assert call_list(test, p, 0.2) == (0.75, 0.75, 0.2)
    row = next(r for r in reach_table(test, p) if r["share"] == 0.2)
    assert row == {"share": 0.2, "precision": 0.75, "recall": 0.75, "lift": 3.75}
    # Ten tutors a date: 1%, 2% and 5% all round up to one call, shown once as 10%.
    shares = [r["share"] for r in reach_table(test, p)]
    assert shares == [0.1, 0.2] and call_list(test, p, 0.01)[2] == 0.1


def test_the_model_card_reads_the_call_list_out():
    from components.tutor_model_card import call_list_table, capacity_sentence, limit_rows

    reach = [
        {"share": 0.01, "precision": 0.5, "recall": 0.1, "lift": 20.0},
        {"share": 0.05, "precision": 0.19, "recall": 0.385, "lift": 7.7},
    ]
    table = str(call_list_table(reach))
    assert "'5'" in table and "38.5%" in table and "7.7×" in table
    capacity = {"calls_per_week": 28, "share": 0.054, "precision": 0.217, "recall": 0.481}
    text = str(capacity_sentence(capacity | {"lift": 8.9, "tutors_per_date": 520.0}))
    assert "At the team's 28 calls a week (5.4 per 100 tutors), the critical band reached " in text
    assert "48.1% of the held-out tutors who left within 30 days; 21.7% of those called " in text
    assert limit_rows({}) == []
    rows = dict(
        limit_rows(
            {
                "observable_auc": 0.877,
                "of_observable": 0.958,
                "decision_auc": 0.998,
                "of_decision": 0.842,
            }
        )
    )
    assert (
        "ROC AUC 0.877" in rows["Best possible (demo data)"]
        and "95.8%" in rows["Best possible (demo data)"]
    )
    assert "enough leavers" in str(call_list_table([]))


def test_on_demo_data_the_card_sets_the_model_against_the_generators_limits():
    """Given the generator's limits, the card keeps their AUC on the same held-out
    snapshots and the model's AUC as a fraction of each (the app shows them on demo data)."""
    from data.seed.common import SCALES, happened_by
    from data.seed.observable_limit import observable_leave_probability
    from data.seed.tutoring import leave_process, true_leave_probability
    from jobs.tutor_risk import snapshot_plan

    frames = generate("small", 3, AS_OF)
    sessions = frames["tutoring_sessions"]
    sessions = sessions[sessions["scheduled_start"] < happened_by(AS_OF)]
    dates, split = snapshot_plan(
        first=sessions["scheduled_start"].min().normalize(), as_of=happened_by(AS_OF)
    )
    history = snapshots(sessions, frames["tutors"], dates)
    process, week0 = leave_process(SCALES["small"], 3, AS_OF)

    def limits(test: pd.DataFrame) -> dict[str, np.ndarray]:
        return {
            "observable": observable_leave_probability(process, week0, sessions, test),
            "decision": true_leave_probability(process, week0, test),
        }

    card, _ = evaluate(history, split=split, limits=limits)
    assert card.positives_in_test >= 2
    assert card.limits["observable_auc"] <= card.limits["decision_auc"] <= 1
    assert card.limits["of_observable"] == pytest.approx(
        card.roc_auc / card.limits["observable_auc"], abs=0.001
    )
    assert evaluate(history, split=split)[0].limits == {}


def test_the_last_two_weeks_are_read_against_the_tutors_own_usual():
    """Two tutors who held one session a day for a year: one goes quiet for the last two
    weeks (far below their pace; no share of missed sessions to compare, not "fewer missed
    than usual"), the other misses half of them with lower ratings."""
    as_of = pd.Timestamp("2026-03-02", tz="UTC")
    days = pd.date_range(as_of - pd.Timedelta(days=364), as_of - pd.Timedelta(days=1), freq="D")
    rows = []
    for tutor in (1, 2):
        for k, day in enumerate(days):
            recent = day >= as_of - pd.Timedelta(days=14)
            if tutor == 1 and recent:
                continue  # gone quiet
            missed = tutor == 2 and recent and k % 2 == 0
            rows.append(
                (tutor, 1, day + pd.Timedelta(hours=15), "no_show" if missed else "completed")
                + ((None if missed else (3 if recent and tutor == 2 else 4)),)
            )
    sessions = pd.DataFrame(
        rows, columns=["tutor_id", "student_id", "scheduled_start", "status", "rating"]
    )
    sessions["rating"] = sessions["rating"].astype("Int64")
    tutors = pd.DataFrame(
        {
            "id": [1, 2],
            "hired_on": [date(2024, 1, 1)] * 2,
            "left_on": [None, None],
            "weekly_capacity": [7, 7],
        }
    )
    features = tutor_features(sessions, tutors, as_of)
    quiet, missing = features.loc[1], features.loc[2]
    # One a day is 14 expected in 14 days: none held is (0 - 14) / sqrt(14.5) sd.
    assert quiet["volume_z_14d"] == pytest.approx(-14 / np.sqrt(14.5), rel=0.01)
    assert np.isnan(quiet["missed_change_14d"]) and np.isnan(quiet["rating_change_14d"])
    assert missing["volume_z_14d"] == pytest.approx(0, abs=0.05)  # held at the usual pace
    assert missing["missed_change_14d"] == pytest.approx(0.5, abs=0.01)
    assert missing["rating_change_14d"] == pytest.approx(-1, abs=0.01)


def test_the_critical_band_on_held_out_tutors_calls_as_the_team_does():
    """The team's calls are 2 of a date's 10 tutors; the held-out half of them gets the same
    share (one call), and nobody below the floor is called."""
    from analytics.tutor_risk import capacity_reach

    dates = ["2026-01-05", "2026-01-19"]
    frame = pd.DataFrame({"as_of": np.repeat(dates, 10), "left_30d": 0})
    test = pd.DataFrame({"as_of": np.repeat(dates, 5), "left_30d": [1, 0, 0, 0, 0, 0, 1, 0, 0, 0]})
    p = np.array([0.5, 0.1, 0.1, 0.0, 0.0, 0.01, 0.02, 0.0, 0.0, 0.0])
    reach = capacity_reach(frame, test, p, 2)
    assert reach["share"] == 0.2 and reach["recall"] == 1.0 and reach["precision"] == 1.0
    floored = capacity_reach(frame, test, p, 2, floor=0.05)  # the second date calls nobody
    assert floored["share"] == 0.1 and floored["recall"] == 0.5
