"""Retrain the tutor-risk model, evaluate it, and store scores (part of `beacon train`).

Scores are stored for the data's as-of date and each of the `weeks` weeks before it,
so pages can show change since last week and the expected leavers over time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from actions import webhooks
from analytics.tutor_features import employed, features_by_date, snapshots
from analytics.tutor_risk import (
    ModelCard,
    TutorRiskModel,
    default_calls,
    evaluate,
    newly_critical,
    newly_in,
)
from data import activity, tutor_risk
from data.engine import connect, get_engine, transaction
from data.queries.overview import data_as_of
from data.seed import provenance
from data.seed.common import SCALES, happened_by
from data.seed.observable_limit import observable_leave_probability
from data.seed.tutoring import leave_process, true_leave_probability
from settings import get_settings

HISTORY = pd.Timedelta(days=2 * 365 + 90)
Limits = Callable[[pd.DataFrame], dict[str, np.ndarray]]
TEST_MONTHS = 6


class NotEnoughHistory(RuntimeError):
    pass


@dataclass
class RunReport:
    version: str
    card: ModelCard
    as_of: pd.Timestamp
    scored_rows: int
    seconds: float


def snapshot_plan(
    *, first: pd.Timestamp, as_of: pd.Timestamp
) -> tuple[pd.DatetimeIndex, pd.Timestamp]:
    """The snapshot dates to learn from (every 14 days, from 120 days after the first session
    to 30 days before as-of, so each has its 30-day outcome), and the date that splits
    them for the model card: the last TEST_MONTHS months are tested on."""
    dates = pd.date_range(first + pd.Timedelta(days=120), as_of - pd.Timedelta(days=30), freq="14D")
    return dates, as_of - pd.Timedelta(days=30) - pd.DateOffset(months=TEST_MONTHS)


def run(*, weeks: int = 12) -> RunReport:
    started = time.perf_counter()
    with connect() as conn:
        newest = data_as_of(conn=conn).set_index("source")["newest"].get("tutoring_sessions")
        if newest is None or pd.isna(newest):
            raise NotEnoughHistory("there are no tutoring sessions to learn from")
        # The end of the newest data's day, but never later than now: a score is never dated
        # in the future.
        as_of = happened_by(newest.date())
        sessions = tutor_risk.session_history(conn=conn, since=(as_of - HISTORY).to_pydatetime())
        tutors = tutor_risk.tutor_roster(conn=conn)
    first = sessions["scheduled_start"].min().normalize()
    train_dates, split = snapshot_plan(first=first, as_of=as_of)
    if len(train_dates) < 2:  # an organisation's first months: nothing to learn from yet
        days = (as_of - first).days
        raise NotEnoughHistory(
            f"{days} days of tutoring sessions; at least 164 days are needed to learn who leaves"
        )
    history = snapshots(sessions, tutors, train_dates)
    if history["left_30d"].sum() < 5:
        raise NotEnoughHistory(
            f"only {int(history['left_30d'].sum())} leavers in the history; at least 5 are needed"
        )
    trained_at = datetime.now(UTC)
    version = f"logreg-{trained_at:%Y%m%d-%H%M%S-%f}"  # two runs in one second differ
    calls = get_settings().tutor_calls_per_week or default_calls(employed(tutors, as_of))
    card, _ = evaluate(
        history,
        split=split,
        version=version,
        calls_per_week=calls,
        limits=demo_limits(sessions, tutors),
    )
    # Every known outcome; the bands are the team's weekly calls.
    model = TutorRiskModel(calls_per_week=calls).fit(history, history["left_30d"])
    card.band_floor = round(model.base_rate_, 6)
    scored = []
    moments = [as_of - pd.Timedelta(weeks=k) for k in range(weeks, -1, -1)]
    for moment, features in features_by_date(sessions, tutors, moments):
        assessed = model.assess(features)
        scored.append(assessed.reset_index().assign(as_of=moment.to_pydatetime()))
    scores = pd.concat(scored, ignore_index=True)[
        ["tutor_id", "as_of", "probability", "score", "percentile", "band", "top_factors"]
    ]
    scores["tutor_id"] = scores["tutor_id"].astype(int)
    with transaction() as conn:
        tutor_risk.store_run(
            conn=conn, version=version, trained_at=trained_at, metrics=card.as_dict(), scores=scores
        )
        alert_regions(conn, tutors, newly_critical(scores))
        tell_webhooks(conn, tutors, scores, newly_in(scores, ("high", "critical")))
    return RunReport(version, card, as_of, len(scores), time.perf_counter() - started)


def demo_limits(sessions: pd.DataFrame, tutors: pd.DataFrame) -> Limits | None:
    """On demo data (seeded here, its record in the instance folder, its roster whole), the
    generator's observable and decision limits for held-out snapshots; else None."""
    record = provenance.recall(get_engine())
    if record is None or record["scale"] not in SCALES:
        return None
    size = SCALES[record["scale"]]
    if sorted(tutors["id"]) != list(range(1, size.tutors + 1)):
        return None  # tutors added or removed since: not the generator's any more
    process, week0 = leave_process(size, record["seed"], record["as_of"])

    def limits(test: pd.DataFrame) -> dict[str, np.ndarray]:
        return {
            "observable": observable_leave_probability(process, week0, sessions, test),
            "decision": true_leave_probability(process, week0, test),
        }

    return limits


def tell_webhooks(
    conn: Connection, tutors: pd.DataFrame, scores: pd.DataFrame, raised: pd.Series
) -> None:
    """One `tutor.risk_raised` event per region with tutors newly in high or critical risk."""
    latest = scores[scores["as_of"] == scores["as_of"].max()].set_index("tutor_id")
    named = tutors.set_index("id").loc[raised.tolist(), ["name", "region_id"]]
    for key, group in named.groupby("region_id"):
        region_id = int(cast(int, key))
        webhooks.emit(
            conn,
            event="tutor.risk_raised",
            region_id=region_id,
            now=datetime.now(UTC),
            data={
                "region_id": region_id,
                "as_of": pd.Timestamp(latest["as_of"].iloc[0]).isoformat(),
                "tutors": [
                    {
                        "tutor_id": int(tutor_id),
                        "name": str(name),
                        "band": str(latest.at[tutor_id, "band"]),
                        "score": int(latest.at[tutor_id, "score"]),
                    }
                    for tutor_id, name in zip(group.index, group["name"], strict=True)
                ],
            },
        )


def alert_regions(conn: Connection, tutors: pd.DataFrame, critical: pd.Series) -> None:
    """One alert per region with tutors newly critical, to the feed and its managers."""
    named = tutors.set_index("id").loc[critical.tolist(), ["name", "region_id"]]
    for key, group in named.groupby("region_id"):
        region_id = int(cast(int, key))
        names = ", ".join(group["name"].head(5)) + (" …" if len(group) > 5 else "")
        activity.record_event(
            conn=conn,
            actor_id=None,
            area="tutor_risk",
            verb="alert",
            entity_type="region",
            entity_id=region_id,
            region_id=region_id,
            summary=f"{len(group)} tutor{'s' if len(group) > 1 else ''} became critical: {names}",
            now=datetime.now(UTC),
            notify=activity.region_managers(conn=conn, region_id=region_id),
        )
