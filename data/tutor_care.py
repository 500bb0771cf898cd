"""What managers do about a tutor: notes and interventions, and the tutor's own record.

Writes run in the caller's transaction and return what the audit entry needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from data.cache import mark_changed
from data.models import Intervention, ManagerNote, Region, Tutor, TutorRiskScore, User
from data.queries.sql import in_regions, read_frame

MAX_NOTE = 10_000
OPEN_KIND_INDEX = "uq_interventions_open_kind"


def tutor_detail(*, conn: Connection, tutor_id: int) -> dict[str, Any] | None:
    """id, external_id, name, email, region_id, region, subject, hired_on, left_on, status,
    weekly_capacity."""
    row = conn.execute(
        select(
            Tutor.id,
            Tutor.external_id,
            Tutor.name,
            Tutor.email,
            Tutor.region_id,
            Region.name.label("region"),
            Tutor.subject,
            Tutor.hired_on,
            Tutor.left_on,
            Tutor.status,
            Tutor.weekly_capacity,
        )
        .join(Region, Region.id == Tutor.region_id)
        .where(Tutor.id == tutor_id)
    ).first()
    return dict(row._mapping) if row else None


def score_history(*, conn: Connection, model_id: int, tutor_ids: Sequence[int]) -> pd.DataFrame:
    """Stored scores of some tutors, in one query. Columns: tutor_id, as_of (datetime64 UTC),
    probability, score, percentile (nullable), band, top_factors; oldest first."""
    frame = read_frame(
        conn,
        select(
            TutorRiskScore.tutor_id,
            TutorRiskScore.as_of,
            TutorRiskScore.probability,
            TutorRiskScore.score,
            TutorRiskScore.percentile,
            TutorRiskScore.band,
            TutorRiskScore.top_factors,
        )
        .where(
            TutorRiskScore.model_version_id == model_id,
            TutorRiskScore.tutor_id.in_(list(tutor_ids)),
        )
        .order_by(TutorRiskScore.as_of),
    )
    frame["as_of"] = pd.to_datetime(frame["as_of"], utc=True)
    return frame


def scores_since(
    *, conn: Connection, model_id: int, since: datetime, region_ids: Sequence[int] | None
) -> pd.DataFrame:
    """Every tutor's stored scores from `since` on, in a region scope (to compare tutors who
    got an intervention with those who did not). Columns: tutor_id, as_of (datetime64 UTC),
    score, band; oldest first."""
    statement = (
        select(
            TutorRiskScore.tutor_id, TutorRiskScore.as_of, TutorRiskScore.score, TutorRiskScore.band
        )
        .join(Tutor, Tutor.id == TutorRiskScore.tutor_id)
        .where(TutorRiskScore.model_version_id == model_id, TutorRiskScore.as_of >= since)
        .order_by(TutorRiskScore.as_of)
    )
    frame = read_frame(conn, in_regions(statement, Tutor.region_id, region_ids))
    frame["as_of"] = pd.to_datetime(frame["as_of"], utc=True)
    return frame


def notes(*, conn: Connection, tutor_id: int) -> pd.DataFrame:
    """Columns: id, author_id, author, body, is_important, created_at, updated_at; newest first,
    important ones on top."""
    return read_frame(
        conn,
        select(
            ManagerNote.id,
            ManagerNote.author_id,
            User.display_name.label("author"),
            ManagerNote.body,
            ManagerNote.is_important,
            ManagerNote.created_at,
            ManagerNote.updated_at,
        )
        .join(User, User.id == ManagerNote.author_id)
        .where(ManagerNote.tutor_id == tutor_id)
        .order_by(ManagerNote.is_important.desc(), ManagerNote.created_at.desc()),
    )


def note(*, conn: Connection, note_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(
            ManagerNote.id,
            ManagerNote.tutor_id,
            ManagerNote.author_id,
            ManagerNote.body,
            ManagerNote.is_important,
        ).where(ManagerNote.id == note_id)
    ).first()
    return dict(row._mapping) if row else None


def add_note(
    *, conn: Connection, tutor_id: int, author_id: int, body: str, important: bool, now: datetime
) -> int:
    return int(
        conn.execute(
            insert(ManagerNote)
            .values(
                tutor_id=tutor_id,
                author_id=author_id,
                body=body,
                is_important=important,
                created_at=now,
            )
            .returning(ManagerNote.id)
        ).scalar_one()
    )


def update_note(
    *, conn: Connection, note_id: int, body: str, important: bool, now: datetime
) -> None:
    conn.execute(
        update(ManagerNote)
        .where(ManagerNote.id == note_id)
        .values(body=body, is_important=important, updated_at=now)
    )


def delete_note(*, conn: Connection, note_id: int) -> None:
    conn.execute(delete(ManagerNote).where(ManagerNote.id == note_id))


def interventions(
    *,
    conn: Connection,
    tutor_id: int | None = None,
    status: str | None = None,
    region_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Columns: id, tutor_id, kind, status, reason, owner_id, owner, due_on, outcome, created_at,
    completed_at; newest first. One tutor's, or all in a region scope, optionally by status."""
    owner = aliased(User)
    statement = (
        select(
            Intervention.id,
            Intervention.tutor_id,
            Intervention.kind,
            Intervention.status,
            Intervention.reason,
            Intervention.owner_id,
            owner.display_name.label("owner"),
            Intervention.due_on,
            Intervention.outcome,
            Intervention.created_at,
            Intervention.completed_at,
        )
        .join(Tutor, Tutor.id == Intervention.tutor_id)
        .outerjoin(owner, owner.id == Intervention.owner_id)
        .order_by(Intervention.created_at.desc())
    )
    if tutor_id is not None:
        statement = statement.where(Intervention.tutor_id == tutor_id)
    if status is not None:
        statement = statement.where(Intervention.status == status)
    return read_frame(conn, in_regions(statement, Tutor.region_id, region_ids))


def intervention(*, conn: Connection, intervention_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(
            Intervention.id,
            Intervention.tutor_id,
            Intervention.kind,
            Intervention.status,
            Intervention.outcome,
        ).where(Intervention.id == intervention_id)
    ).first()
    return dict(row._mapping) if row else None


def add_intervention(
    *,
    conn: Connection,
    tutor_id: int,
    kind: str,
    reason: str,
    owner_id: int,
    due_on: date,
    now: datetime,
) -> int:
    return int(
        conn.execute(
            insert(Intervention)
            .values(
                tutor_id=tutor_id,
                kind=kind,
                status="planned",
                reason=reason[:500],
                owner_id=owner_id,
                due_on=due_on,
                created_at=now,
            )
            .returning(Intervention.id)
        ).scalar_one()
    )


def is_second_open(error: IntegrityError) -> bool:
    """Whether an insert was refused by the one-open-intervention-per-kind index. PostgreSQL
    names the index; SQLite names its columns. A foreign key or a check refused says neither."""
    said = str(error.orig)
    return OPEN_KIND_INDEX in said or "UNIQUE constraint failed: interventions.tutor_id" in said


def set_intervention_status(
    *, conn: Connection, intervention_id: int, status: str, outcome: str | None, now: datetime
) -> None:
    finished = status in ("done", "dismissed")
    if finished:
        mark_changed(conn, "tutors")  # what interventions achieved is kept in the cache
    conn.execute(
        update(Intervention)
        .where(Intervention.id == intervention_id)
        .values(status=status, outcome=outcome, completed_at=now if finished else None)
    )
