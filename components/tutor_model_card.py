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

HEADLINE_SHARE = 0.05  # the call list the card's sentence reads out: 5 calls per 100 tutors


def model_card(model: dict[str, Any], *, card_id: str) -> Component:
    card = model["metrics"] or {}
    rows = [
        ("Model", f"{model['version']} (logistic regression on 17 session features)"),
        ("Trained on", card.get("trained_on", "")),
        (
            "Tested on",
            f"{card.get('tested_on', '')}, {card.get('test_tutors', 0)} tutors the "
            "model never saw, later than anything it learned from",
        ),
        ("ROC AUC", _metric(card.get("roc_auc"))),
        ("PR AUC", f"{_metric(card.get('pr_auc'))} (base rate {percent(card.get('base_rate'))})"),
        ("Brier score", _metric(card.get("brier"))),
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
    headline = min(reach, key=lambda row: abs(row["share"] - HEADLINE_SHARE))
    sentence = (
        f"Calling the {percent(headline['share'])} of tutors with the highest risk on a day "
        f"reaches {percent(headline['recall'])} of the tutors who leave within the next 30 "
        f"days; {percent(headline['precision'])} of those called leave, "
        f"{headline['lift']:.1f} times the rate of calling at random."
    )
    shown = frame.assign(
        calls=(frame["share"] * 100).map(lambda v: f"{v:.3g}"),
        share=frame["share"].map(percent),
        precision=frame["precision"].map(percent),
        recall=frame["recall"].map(percent),
        lift=frame["lift"].map(lambda v: f"{v:.1f}×"),
    )
    return html.Div(
        [
            html.P(sentence, className="mb-2"),
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
