"""Tutor risk: the history the scoring job reads, the scores it stores, what pages read back.

Pages read stored scores of the active model version only: the model never runs on a click.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, insert, select, update

from data import kept
from data.cache import cached, mark_changed
from data.grid import ColumnFilter, SortKey, grid_order, grid_where
from data.models import (
    ModelVersion,
    Region,
    RiskBandCount,
    Tutor,
    TutoringSession,
    TutorRiskScore,
)
from data.queries.sql import in_regions, read_frame


def session_history(
    *, conn: Connection, since: datetime, tutor_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Every session from `since` on (of `tutor_ids` only, when given). Columns: tutor_id,
    student_id, scheduled_start (UTC), status, rating (nullable int)."""
    statement = select(
        TutoringSession.tutor_id,
        TutoringSession.student_id,
        TutoringSession.scheduled_start,
        TutoringSession.status,
        TutoringSession.rating,
    ).where(TutoringSession.scheduled_start >= since)
    if tutor_ids is not None:
        statement = statement.where(TutoringSession.tutor_id.in_(list(tutor_ids)))
    frame = read_frame(conn, statement)
    frame["scheduled_start"] = pd.to_datetime(frame["scheduled_start"], utc=True)
    frame["rating"] = frame["rating"].astype("Int64")
    return frame


def tutor_roster(*, conn: Connection) -> pd.DataFrame:
    """Columns: id, name, region_id, subject, hired_on, left_on, status, weekly_capacity."""
    return read_frame(
        conn,
        select(
            Tutor.id,
            Tutor.name,
            Tutor.region_id,
            Tutor.subject,
            Tutor.hired_on,
            Tutor.left_on,
            Tutor.status,
            Tutor.weekly_capacity,
        ),
    )


def store_run(
    *,
    conn: Connection,
    version: str,
    trained_at: datetime,
    metrics: dict[str, Any],
    scores: pd.DataFrame,
) -> int:
    """A new active model version and its scores (tutor_id, as_of, probability, score, band,
    top_factors), in the caller's transaction; earlier versions stop being active."""
    mark_changed(conn, "tutors")
    conn.execute(
        update(ModelVersion).where(ModelVersion.area == "tutor_risk").values(is_active=False)
    )
    version_id = conn.execute(
        insert(ModelVersion)
        .values(
            area="tutor_risk",
            version=version,
            trained_at=trained_at,
            metrics=metrics,
            is_active=True,
        )
        .returning(ModelVersion.id)
    ).scalar_one()
    records = [
        {str(k): v for k, v in row.items()}
        for row in scores.assign(model_version_id=version_id).to_dict("records")
    ]
    if records:
        conn.execute(insert(TutorRiskScore), records)
    kept.follow(
        conn=conn,
        change=kept.Change(tables=frozenset({"tutor_risk_scores"}), model_id=int(version_id)),
    )
    return int(version_id)


def active_model(*, conn: Connection) -> dict[str, Any] | None:
    """The active tutor-risk model: id, version, trained_at, metrics (the model card)."""
    row = conn.execute(
        select(ModelVersion.id, ModelVersion.version, ModelVersion.trained_at, ModelVersion.metrics)
        .where(ModelVersion.area == "tutor_risk", ModelVersion.is_active.is_(True))
        .order_by(ModelVersion.id.desc())
    ).first()
    return dict(row._mapping) if row else None


def _scored(model_id: int):  # type: ignore[no-untyped-def]
    return (
        select()
        .select_from(TutorRiskScore)
        .join(Tutor, Tutor.id == TutorRiskScore.tutor_id)
        .where(TutorRiskScore.model_version_id == model_id)
    )


def latest_scored_at(*, conn: Connection, model_id: int) -> datetime | None:
    """The newest date the model scored tutors for."""
    newest = conn.execute(
        select(func.max(TutorRiskScore.as_of)).where(TutorRiskScore.model_version_id == model_id)
    ).scalar_one()
    return pd.Timestamp(newest).tz_convert("UTC").to_pydatetime() if newest else None


@cached("tutors")
def band_history(
    *, conn: Connection, model_id: int, region_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Tutors per band at every scored date, and how many of them are expected to leave
    within 30 days (the sum of their chances). Columns: as_of (datetime64 UTC), band,
    tutors, expected.

    Read from the counts kept with the scores (`risk_band_counts`), not from every score."""
    tutors = func.sum(RiskBandCount.tutors).label("tutors")
    expected = func.sum(RiskBandCount.expected).label("expected")
    statement = (
        select(RiskBandCount.as_of, RiskBandCount.band, tutors, expected)
        .where(RiskBandCount.model_version_id == model_id)
        .group_by(RiskBandCount.as_of, RiskBandCount.band)
        .order_by(RiskBandCount.as_of)
    )
    frame = read_frame(conn, in_regions(statement, RiskBandCount.region_id, region_ids))
    frame["tutors"] = frame["tutors"].astype(int)
    frame["expected"] = frame["expected"].astype(float)
    frame["as_of"] = pd.to_datetime(frame["as_of"], utc=True)
    return frame


@cached("tutors")
def score_counts(
    *, conn: Connection, model_id: int, as_of: datetime, region_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """How many tutors have each score at one date. Columns: score (0-100), band, tutors.

    Read from the counts kept with the scores (`risk_band_counts`), not from every score."""
    statement = (
        select(
            RiskBandCount.score, RiskBandCount.band, func.sum(RiskBandCount.tutors).label("tutors")
        )
        .where(RiskBandCount.model_version_id == model_id, RiskBandCount.as_of == as_of)
        .group_by(RiskBandCount.score, RiskBandCount.band)
    )
    frame = read_frame(conn, in_regions(statement, RiskBandCount.region_id, region_ids))
    return frame.astype({"score": int, "tutors": int})


@cached("tutors")
def left_since_scored(
    *,
    conn: Connection,
    model_id: int,
    as_of: datetime,
    today: date,
    region_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Tutors scored at `as_of` who have left by `today` (a later leaving date is notice
    given: still here), per band and score. Columns: band, score, tutors.

    A tutor is scored while employed (not left by the day of `as_of`), so only those who
    left after that day are read: a few rows, not every score of the date."""
    statement = (
        _scored(model_id)
        .add_columns(TutorRiskScore.band, TutorRiskScore.score, func.count().label("tutors"))
        .where(
            TutorRiskScore.as_of == as_of,
            Tutor.left_on > pd.Timestamp(as_of).date(),
            Tutor.left_on <= today,
        )
        .group_by(TutorRiskScore.band, TutorRiskScore.score)
    )
    frame = read_frame(conn, in_regions(statement, Tutor.region_id, region_ids))
    return frame.astype({"score": int, "tutors": int})


# The API's named orders, as grid sorts (no sort: the likeliest to leave first).
RISK_SORTS: dict[str, tuple[SortKey, ...]] = {
    "score": (),
    "name": (SortKey("name"),),
    "tenure": (SortKey("hired_on", True), SortKey("name")),
}


def risk_table(
    *,
    conn: Connection,
    model_id: int,
    as_of: datetime,
    region_ids: Sequence[int] | None = None,
    subject: str | None = None,
    band: str | None = None,
    hired_after: datetime | None = None,
    hired_before: datetime | None = None,
    sort: Sequence[SortKey] = (),
    filters: Sequence[ColumnFilter] = (),
    limit: int | None = 25,
    offset: int = 0,
) -> tuple[pd.DataFrame, int]:
    """One page of scored tutors (`limit` None: every one) and the number that match.
    `sort` and `filters` (a grid's) work on name, region (its code), subject, hired_on, score
    and percentile; with no sort the likeliest to leave come first.

    Columns: tutor_id, external_id, name, region, subject, hired_on, score, percentile
    (nullable), band, probability, top_factors, left_on (None: still here; a tutor scored
    before leaving stays on that date's list).
    """
    conditions = [TutorRiskScore.as_of == as_of]
    if subject:
        conditions.append(Tutor.subject == subject)
    if band:
        conditions.append(TutorRiskScore.band == band)
    if hired_after:
        conditions.append(Tutor.hired_on >= hired_after.date())
    if hired_before:
        conditions.append(Tutor.hired_on < hired_before.date())
    shown = {
        "name": Tutor.name,
        "region": Region.code,
        "subject": Tutor.subject,
        "hired_on": Tutor.hired_on,
        "score": TutorRiskScore.score,
        "percentile": TutorRiskScore.percentile,
    }
    conditions += grid_where(filters, shown)
    base = in_regions(
        _scored(model_id).join(Region, Region.id == Tutor.region_id).where(*conditions),
        Tutor.region_id,
        region_ids,
    )
    narrowed = subject or hired_after or hired_before or filters
    total = None if narrowed else _kept_total(conn, model_id, as_of, region_ids, band)
    if not total:  # narrowed, or nothing kept for it (no tutor, or not kept yet): count them
        total = conn.execute(base.add_columns(func.count())).scalar_one()
    # By the probability, not its rounded score: the call list's own order.
    if list(sort) in ([], [SortKey("score", True)]):
        # A probability is never missing: plain DESC reads the page off the index in that
        # order (DESC NULLS LAST, the grid's, would sort every score of the date first).
        order = [TutorRiskScore.probability.desc(), Tutor.name, Tutor.id]
    else:
        ordered = {**shown, "score": TutorRiskScore.probability}
        order = [*grid_order(sort, ordered), Tutor.name, Tutor.id]
    page = read_frame(
        conn,
        base.add_columns(
            Tutor.id.label("tutor_id"),
            Tutor.external_id,
            Tutor.name,
            Region.code.label("region"),
            Tutor.subject,
            Tutor.hired_on,
            TutorRiskScore.score,
            TutorRiskScore.percentile,
            TutorRiskScore.band,
            TutorRiskScore.probability,
            TutorRiskScore.top_factors,
            Tutor.left_on,
        )
        .order_by(*order)
        .limit(limit)
        .offset(offset),
    )
    return page, int(total)


def _kept_total(
    conn: Connection,
    model_id: int,
    as_of: datetime,
    region_ids: Sequence[int] | None,
    band: str | None,
) -> int:
    """How many tutors the model scored on `as_of` (in the regions, in the band), from the
    kept band counts rather than every score."""
    statement = select(func.sum(RiskBandCount.tutors)).where(
        RiskBandCount.model_version_id == model_id, RiskBandCount.as_of == as_of
    )
    if band:
        statement = statement.where(RiskBandCount.band == band)
    return int(
        conn.execute(in_regions(statement, RiskBandCount.region_id, region_ids)).scalar() or 0
    )


def subjects(*, conn: Connection) -> list[str]:
    return list(conn.execute(select(Tutor.subject).distinct().order_by(Tutor.subject)).scalars())
