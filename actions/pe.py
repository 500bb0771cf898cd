"""PE: save a lesson plan for a class (admins and managers of the class's region)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from actions.base import Actor, Refused, is_id, record
from data.engine import connect, transaction
from data.lesson_plans import class_region, save_lesson_plan
from vocabulary import MANAGERS

WRITERS = MANAGERS


@dataclass(frozen=True)
class PlanSaved:
    plan_id: int
    planned_on: date


def save_plan(
    *,
    actor: Actor,
    class_id: Any,
    title: Any,
    day: Any,
    focus: Any,
    text: Any,
    equipment: Any,
    now: datetime,
) -> PlanSaved | Refused:
    if not actor.may(WRITERS):
        return Refused("Only admins and managers save lesson plans.", denied=True)
    problems = []
    if not is_id(class_id):
        problems.append("choose a class")
    if not str(title or "").strip():
        problems.append("give it a title")
    if not str(text or "").strip():
        problems.append("write or draft the plan")
    try:
        planned_on = date.fromisoformat(str(day)[:10])
    except ValueError:
        problems.append("pick a day")
    if problems:
        return Refused("Not saved: " + ", ".join(problems) + ".")
    with connect() as conn:
        region = class_region(conn=conn, class_id=class_id)
    if region is None:
        return Refused("Not saved: that class does not exist.")
    if not actor.sees(region):
        return Refused(
            "That class is not in your regions.",
            denied=True,
            detail={"what": "lesson plan class", "class_id": class_id},
        )
    with transaction() as conn:
        plan_id = save_lesson_plan(
            conn=conn,
            class_id=class_id,
            author_id=actor.user_id,
            title=str(title).strip()[:200],
            planned_on=planned_on,
            focus_skill=str(focus or "general").strip()[:80] or "general",
            activities=str(text).strip(),
            equipment_needed=str(equipment or "").strip(),
        )
        record(conn, actor, "lesson_plan.created", now=now, plan_id=plan_id, class_id=class_id)
    return PlanSaved(plan_id=plan_id, planned_on=planned_on)
