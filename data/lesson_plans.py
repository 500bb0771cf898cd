"""Saving a PE lesson plan (drafted by hand or by the AI), in a class the author may see."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, insert, select

from data.cache import mark_changed
from data.models import LessonPlan, PEClass, School


def class_region(*, conn: Connection, class_id: int) -> int | None:
    """The region of a class, or None when there is no such class."""
    return conn.execute(
        select(School.region_id)
        .join(PEClass, PEClass.school_id == School.id)
        .where(PEClass.id == class_id)
    ).scalar_one_or_none()


def save_lesson_plan(
    *,
    conn: Connection,
    class_id: int,
    author_id: int,
    title: str,
    planned_on: date,
    focus_skill: str,
    activities: str,
    equipment_needed: str,
) -> int:
    mark_changed(conn, "pe")
    return int(
        conn.execute(
            insert(LessonPlan)
            .values(
                class_id=class_id,
                author_id=author_id,
                title=title[:160],
                planned_on=planned_on,
                focus_skill=focus_skill[:32],
                activities=activities,
                equipment_needed=equipment_needed,
            )
            .returning(LessonPlan.id)
        ).scalar_one()
    )
