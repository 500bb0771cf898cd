"""Tutor risk analytics: features without leakage, the estimator, the evaluation, the playbook."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils.validation import NotFittedError

from analytics.interventions import DUE_IN_DAYS, recognition, recommend
from analytics.tutor_features import FEATURES, left_within, snapshots, tutor_features
from analytics.tutor_risk import (
    BANDS,
    TutorRiskModel,
    band_of,
    calibration_table,
    evaluate,
    score_of,
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
    assert clone(model).get_params() == {"C": 0.5, "top_n": 3}
    p = model.predict_proba(training)
    assert p.shape == (len(training), 2) and np.allclose(p.sum(axis=1), 1)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"C": 0}, "C must be a positive number; got 0"),
        ({"top_n": 0}, "top_n must be a positive integer; got 0"),
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
    assert [f["feature"] for f in top] == list(riskiest[riskiest > 0].nlargest(3).index)
    assert len({tuple(f["feature"] for f in t) for t in assessed["top_factors"]}) > 1


def test_bands_follow_the_score_people_see():
    assert list(band_of([0.0, 0.044, 0.0451, 0.049, 0.2, 0.3451, 0.9])) == [
        "low",
        "low",
        "medium",  # shown as score 5, which is medium: never "5, Low" beside "5, Medium"
        "medium",
        "high",
        "critical",
        "critical",
    ]
    probabilities = np.linspace(0, 1, 100_001)
    scores, bands = score_of(probabilities), band_of(probabilities)
    per_score = pd.DataFrame({"score": scores, "band": bands}).groupby("score")["band"].nunique()
    assert (per_score == 1).all()  # every score has exactly one band


def test_the_time_split_evaluation_finds_the_hidden_signal():
    frames = generate("medium", 3, AS_OF)
    dates = pd.date_range("2025-01-06", "2026-05-11", freq="14D", tz="UTC")
    history = snapshots(frames["tutoring_sessions"], frames["tutors"], dates)
    card, _ = evaluate(history, split=pd.Timestamp("2025-11-03", tz="UTC"), seed=1)
    assert card.positives_in_test >= 20
    assert card.roc_auc > 0.7  # the generator's leave process shows weeks ahead
    assert card.brier < card.base_rate  # better than knowing nothing
    assert card.tested_on >= "2025-11-03" > card.trained_on


def test_calibration_table_bins_predictions():
    table = calibration_table(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9]), bins=2)
    assert table == [
        {"predicted": 0.15, "observed": 0.0, "tutors": 2.0},
        {"predicted": 0.85, "observed": 1.0, "tutors": 2.0},
    ]


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


def test_effectiveness_compares_risk_and_activity_before_and_after():
    from analytics.interventions import effectiveness

    t = pd.Timestamp
    finished = pd.DataFrame(
        {
            "tutor_id": [1, 2],
            "kind": ["coaching", "coaching"],
            "created_at": [t("2026-03-01", tz="UTC"), t("2026-03-01", tz="UTC")],
            "completed_at": [t("2026-04-01", tz="UTC"), t("2026-04-01", tz="UTC")],
        }
    )
    scores = pd.DataFrame(
        {
            "tutor_id": [1, 1, 2, 2],
            "as_of": [
                t("2026-02-25", tz="UTC"),
                t("2026-04-05", tz="UTC"),
                t("2026-02-28", tz="UTC"),
                t("2026-04-02", tz="UTC"),
            ],
            "score": [40, 10, 30, 20],
        }
    )
    sessions = pd.DataFrame(
        {
            "tutor_id": [1, 1, 1, 2, 2],
            "scheduled_start": [
                t("2026-02-20", tz="UTC"),
                t("2026-04-10", tz="UTC"),
                t("2026-04-12", tz="UTC"),
                t("2026-02-10", tz="UTC"),
                t("2026-04-15", tz="UTC"),
            ],
            "status": ["completed", "completed", "no_show", "completed", "scheduled"],
        }
    )
    result = effectiveness(finished, scores, sessions).iloc[0]
    assert result["interventions"] == 2
    assert (
        result["risk_before"] == 35 and result["risk_after"] == 15 and result["risk_change"] == -20
    )
    # Tutor 1: 1 held session before, 2 after; tutor 2: 1 before, 0 held after (one scheduled).
    assert result["sessions_before"] == 1 and result["sessions_after"] == 1
    assert result["activity_change"] == 0
    assert effectiveness(finished.iloc[0:0], scores, sessions).empty


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
