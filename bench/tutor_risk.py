"""The tutor risk model against its physical limit, on the demo generator's data.

    .venv/bin/python -m bench.tutor_risk [--scale medium] [--seeds 7 11] [--no-write]

For each seed it generates the demo's tutors and sessions in memory (as of AS_OF), builds
the snapshots and the held-out split exactly as the training job does
(`jobs.tutor_risk.snapshot_plan`, `analytics.tutor_risk.held_out_split`), fits the model on
the training snapshots and scores the held-out ones. Two limits, each the generator's own
probability of each held-out snapshot's 30-day outcome:

- the **observable limit** (`data.seed.observable_limit`): it knows every hidden trait of
  each tutor but infers the decision to leave from the sessions before the snapshot, as any
  model must: the best AUC a model of the session data can reach;
- the **decision limit** (`data.seed.tutoring.true_leave_probability`): it also knows
  whether and when each tutor decided, which a decision of last week has not yet shown.

Reported: ROC AUC, PR AUC and Brier of the model and of both limits, the model's AUC as a
fraction of each, and the call list at the app's default capacity (a call a week per 20
tutors employed, as a share of a date's tutors): the share of the called who leave within 30 days
(precision) and the share of that date's leavers they are (recall). The table goes to
docs/models.md and bench/results/tutor-risk.json.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from analytics.tutor_features import employed, snapshots
from analytics.tutor_risk import (
    TutorRiskModel,
    capacity_reach,
    default_calls,
    held_out_split,
    score_of,
)
from bench.models import ROOT, publish
from data.seed.common import SCALES, happened_by
from data.seed.observable_limit import observable_leave_probability
from data.seed.tutoring import leave_process, student_frame, true_leave_probability, tutoring_frames
from jobs.tutor_risk import snapshot_plan

AS_OF = date(2026, 11, 30)
RESULTS = ROOT / "bench" / "results" / "tutor-risk.json"
MARKERS = ("<!-- tutor table: begin -->", "<!-- tutor table: end -->")


def measure(scale: str, seed: int) -> dict[str, Any]:
    size = SCALES[scale]
    students = student_frame(size, seed, AS_OF)
    frames = tutoring_frames(size, seed, AS_OF, students)
    as_of = happened_by(AS_OF)
    sessions = frames["tutoring_sessions"]
    sessions = sessions[sessions["scheduled_start"] < as_of]
    dates, split = snapshot_plan(first=sessions["scheduled_start"].min().normalize(), as_of=as_of)
    history = snapshots(sessions, frames["tutors"], dates)
    train, test = held_out_split(history, split=split)
    model = TutorRiskModel().fit(train, train["left_30d"])
    p = model.predict_proba(test)[:, 1]
    process, week0 = leave_process(size, seed, AS_OF)
    limits = {
        "observable": observable_leave_probability(process, week0, sessions, test),
        "limit": true_leave_probability(process, week0, test),
    }
    y = test["left_30d"].to_numpy()
    scores = score_of(p)
    row: dict[str, Any] = {"seed": seed, "scale": scale, "held_out": len(y)}
    row["calls"] = default_calls(employed(frames["tutors"], as_of))
    row["leavers"] = int(y.sum())
    for name, q in (("model", p), *limits.items()):
        calls = capacity_reach(history, test, q, row["calls"])
        row[name] = {
            "auc": float(roc_auc_score(y, q)),
            "pr_auc": float(average_precision_score(y, q)),
            "brier": float(brier_score_loss(y, q)),
            "precision_at_calls": calls["precision"],
            "recall_at_calls": calls["recall"],
            "calls_share": calls["share"],
        }
    row["fraction_of_observable"] = row["model"]["auc"] / row["observable"]["auc"]
    row["fraction_of_limit"] = row["model"]["auc"] / row["limit"]["auc"]
    row["score"] = {
        "median": float(np.median(scores)),
        "p99": float(np.percentile(scores, 99)),
        "max": int(scores.max()),
        "critical_from": critical_from(test, scores, row["model"]["calls_share"]),
    }
    return row


def critical_from(test: Any, scores: np.ndarray, share: float) -> float:
    """The lowest score in the critical band (the calls a week reach), median over dates."""
    frame = test[["as_of"]].assign(score=scores)
    lowest = [
        day["score"].nlargest(max(1, round(len(day) * share))).min()
        for _, day in frame.groupby("as_of")
    ]
    return float(np.median(lowest))


def table(rows: list[dict[str, Any]]) -> str:
    calls = f"{rows[0]['calls']} calls ({rows[0]['model']['calls_share']:.1%})" if rows else ""
    lines = [
        "| seed | held-out snapshots (leavers) | | ROC AUC | PR AUC | Brier | precision at "
        f"{calls} | recall at the same calls |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        for name, label in (
            ("model", "model"),
            ("observable", "observable limit"),
            ("limit", "decision limit"),
        ):
            m = r[name]
            lines.append(
                f"| {r['seed']} | {r['held_out']:,} ({r['leavers']}) | {label} | {m['auc']:.3f} "
                f"| {m['pr_auc']:.3f} | {m['brier']:.4f} | {m['precision_at_calls']:.1%} "
                f"| {m['recall_at_calls']:.1%} |"
            )
        for key, label in (("observable", "observable limit"), ("limit", "decision limit")):
            lines.append(
                f"| {r['seed']} | | *model / {label}* | {r[f'fraction_of_{key}']:.1%} | | | | |"
            )
    lines.append("")
    lines.append(
        "| seed | median score | 99th percentile | maximum | critical from (median over dates) |"
    )
    lines.append("|---|---:|---:|---:|---:|")
    for r in rows:
        s = r["score"]
        lines.append(
            f"| {r['seed']} | {s['median']:.0f} | {s['p99']:.0f} | {s['max']} "
            f"| {s['critical_from']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="medium", choices=list(SCALES))
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 11])
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    rows = [measure(args.scale, seed) for seed in args.seeds]
    markdown = table(rows)
    print(markdown)
    if not args.no_write:
        stamp = (
            f"Measured {datetime.now(UTC):%Y-%m-%d} with `python -m bench.tutor_risk` "
            f"(scale {args.scale}, demo as of {AS_OF})."
        )
        publish(RESULTS, MARKERS, stamp=stamp, markdown=markdown, rows=rows)


if __name__ == "__main__":
    main()
