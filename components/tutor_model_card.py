"""The tutor risk model card: how the model did on tutors and months it never saw, how far a
week's call list reaches, and its calibration."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html
from dash.development.base_component import Component

from components.formatting import percent
from components.table import data_table


def model_card(model: dict[str, Any], *, card_id: str) -> Component:
    card = model["metrics"] or {}
    rows = [
        (
            "Model",
            f"{model['version']} (logistic regression on {card.get('features', 17)} "
            "session features)",  # models trained before the count was kept had 17
        ),
        ("Trained on", card.get("trained_on", "")),
        (
            "Tested on",
            f"{card.get('tested_on', '')}, {card.get('test_tutors', 0)} tutors the "
            "model never saw, later than anything it learned from",
        ),
        ("ROC AUC", _metric(card.get("roc_auc"))),
        ("PR AUC", f"{_metric(card.get('pr_auc'))} (base rate {percent(card.get('base_rate'))})"),
        ("Brier score", _metric(card.get("brier"))),
        *limit_rows(card.get("limits") or {}),
    ]
    calibration = pd.DataFrame(card.get("calibration", []))
    if len(calibration):
        calibration["predicted"] = calibration["predicted"].map(percent)
        calibration["observed"] = calibration["observed"].map(percent)
        for column in ("tutors", "leavers"):  # counts, stored as JSON numbers
            if column in calibration:
                calibration[column] = calibration[column].map(lambda v: f"{int(v):,}")
    return dbc.Accordion(
        [
            dbc.AccordionItem(
                [
                    html.Dl(
                        [
                            part
                            for label, value in rows
                            for part in (html.Dt(label), html.Dd(value))
                        ],
                        className="model-card",
                    ),
                    capacity_sentence(card.get("capacity") or {}),
                    call_list_table(card.get("reach", [])),
                    data_table(
                        calibration,
                        {
                            "predicted": "Predicted leaving",
                            "observed": "Observed leaving",
                            "tutors": "Tutor-snapshots",
                            **({"leavers": "Leavers"} if "leavers" in calibration else {}),
                        },
                        empty_title="No calibration table",
                        empty_hint="Too few leavers to bin.",
                        caption=(
                            "Calibration on the held-out tutors, in bins of the prediction "
                            "that each expect the same number of leavers"
                        ),
                    ),
                ],
                title=f"Model card · held-out ROC AUC {_metric(card.get('roc_auc'))}",
            )
        ],
        start_collapsed=True,
        id=card_id,
    )


def band_legend(model: dict[str, Any]) -> Component:
    """What the score, the percentile and the bands mean, at the capacity the active model
    scored with (its card keeps the calls a week)."""
    metrics = model.get("metrics") or {}
    calls = int(metrics.get("calls_per_week") or 0)
    floor = metrics.get("band_floor")
    average = f" ({percent(floor)})" if floor is not None else ""
    bands = (
        f"Bands are the retention team's call list at {calls:,} calls a week across all "
        f"regions: critical, this week's calls (the {calls:,} tutors most likely to leave); "
        "high, next "
        f"week's {calls:,}; medium, the {2 * calls:,} after them; low, everyone else and anyone "
        f"less likely to leave than the average tutor{average}."
        if calls
        else "Bands: retrain the model to set them by the team's weekly calls."
    )
    return html.P(
        [
            html.Strong("How to read it. "),
            "The score is a tutor's chance of leaving within 30 days, in %; the percentile "
            "is the share of tutors less likely to leave. ",
            bands,
        ],
        className="small text-body-secondary mb-3",
    )


def limit_rows(limits: dict[str, float]) -> list[tuple[str, str]]:
    """On demo data, the generator's limits on the same held-out tutors and how near the
    model comes to each."""
    if "observable_auc" not in limits:
        return []
    return [
        (
            "Best possible (demo data)",
            f"ROC AUC {limits['observable_auc']:.3f} for a model that knew everything the "
            "demo generator knows except who decided to leave (it reads that from the "
            f"sessions, as a model must): this model reaches {percent(limits['of_observable'])} "
            "of it",
        ),
        (
            "Knowing every decision",
            f"ROC AUC {limits['decision_auc']:.3f} if it also knew who had decided to leave, "
            "which no data shows yet in the week it is decided: "
            f"{percent(limits['of_decision'])} of it",
        ),
    ]


def capacity_sentence(capacity: dict[str, float]) -> Component:
    """What the critical band (the team's weekly calls) reached on the held-out tutors."""
    if not capacity:
        return html.Span()
    calls = int(capacity["calls_per_week"])
    return html.P(
        f"At the team's {calls:,} calls a week ({capacity['share'] * 100:.1f} per 100 tutors), "
        f"the critical band reached {percent(capacity['recall'])} of the held-out tutors who "
        f"left within 30 days; {percent(capacity['precision'])} of those called left, "
        f"{capacity['lift']:.1f} times the rate of calling at random.",
        className="mb-2",
    )


def chance_text(score: Any, probability: Any) -> str:
    """A stored score as a chance people read: '7%', or '<1%' for a chance that rounds to
    none but is not none."""
    if int(score) == 0 and float(probability) > 0:
        return "<1%"
    return f"{int(score)}%"


def percentile_text(value: Any) -> str:
    """A stored percentile as read in a table: '96% of tutors' (scores kept before
    percentiles were stored have none)."""
    return "—" if value is None or pd.isna(value) else f"{int(value)}% of tutors"


def _metric(value: float | None) -> str:
    return "not enough leavers to measure" if value is None else f"{value:.3f}"


def call_list_table(reach: list[dict[str, float]]) -> Component:
    """A week's call list, from the held-out test: calling the riskiest share of tutors,
    how many of the called leave within 30 days and how many of the leavers are reached."""
    if not reach:
        return html.P(
            "The call list's reach shows once a model is trained (with enough leavers) by "
            "this version of Beacon.",
            className="text-body-secondary small",
        )
    frame = pd.DataFrame(reach)
    shown = frame.assign(
        calls=(frame["share"] * 100).map(lambda v: f"{v:.3g}"),
        share=frame["share"].map(percent),
        precision=frame["precision"].map(percent),
        recall=frame["recall"].map(percent),
        lift=frame["lift"].map(lambda v: f"{v:.1f}×"),
    )
    return html.Div(
        [
            data_table(
                shown,
                {
                    "calls": "Calls per 100 tutors",
                    "recall": "Leavers reached",
                    "precision": "Of the called, leave",
                    "lift": "Against random calls",
                },
                empty_title="No call list",
                empty_hint="Too few leavers to measure.",
                caption=(
                    "The call list on the held-out tutors, riskiest first, measured on each "
                    "snapshot date (every 14 days)"
                ),
            ),
        ]
    )
