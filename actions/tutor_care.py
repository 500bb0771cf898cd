"""Look after a tutor: plan and move interventions, write and delete notes.

Each action checks the actor's role and region, validates, and writes the change, its
activity event and its audit entry in one transaction. The intervention moves (planned ->
in progress -> done or dismissed) live here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from actions.base import Actor, Refused, is_id, record
from analytics.interventions import Recommendation, recognition, recommend
from data import accounts, activity, tutor_care, tutor_risk
from data.engine import connect, transaction
from data.queries.overview import daily_sessions
from vocabulary import INTERVENTION_KINDS, MANAGERS, OPEN_INTERVENTIONS

WRITERS = MANAGERS
MOVES: dict[str, frozenset[str]] = {
    "planned": frozenset({"in_progress", "done", "dismissed"}),
    "in_progress": frozenset({"done", "dismissed"}),
    "done": frozenset(),
    "dismissed": frozenset(),
}
MAX_OUTCOME = 1000


@dataclass(frozen=True)
class Done:
    """The change was made: `message` for the person, `entity_id` of what changed."""

    message: str
    entity_id: int


def tutor_for(actor: Actor, tutor_id: Any) -> dict[str, Any] | Refused:
    """The tutor behind a (possibly forged) id, when the actor may see them."""
    if tutor_id is None:
        return Refused("Choose a tutor.")
    if not is_id(tutor_id):
        return Refused("Choose a tutor.", denied=True, detail={"what": "tutor"})
    with connect() as conn:
        tutor = tutor_care.tutor_detail(conn=conn, tutor_id=tutor_id)
    if tutor is None or not actor.sees(tutor["region_id"]):
        return Refused(
            "That tutor is not in your regions.",
            denied=True,
            detail={"what": "tutor", "tutor_id": tutor_id},
        )
    return tutor


def writable_tutor(actor: Actor, tutor_id: Any, doing: str) -> dict[str, Any] | Refused:
    """The tutor, when the actor may change their record (`doing`: "write notes", ...)."""
    if not actor.may(WRITERS):
        return Refused(f"Only admins and managers {doing}.", denied=True)
    return tutor_for(actor, tutor_id)


def recommendations(conn: Connection, tutor_id: int, latest: Any) -> list[Recommendation]:
    """From the latest stored score's factors and band, plus recognition for a low-risk tutor
    whose sessions of the last 30 days were rated 4.7 or better."""
    end = latest["as_of"]
    daily = daily_sessions(conn=conn, since=end - timedelta(days=30), until=end, tutor_id=tutor_id)
    rated = daily["rated"].sum()
    rating = float(daily["rating_sum"].sum() / rated) if rated else None
    recs = recommend(latest["top_factors"], latest["band"], end.date())
    thanks = recognition(rating, latest["band"], end.date())
    return [*recs, *([thanks] if thanks else [])]


def plan_intervention(
    *, actor: Actor, tutor_id: Any, kind: str, owner_id: int | None, now: datetime
) -> Done | Refused:
    """Plan one of the interventions recommended for the tutor now, owned by someone who
    looks after the tutor's region (the actor when `owner_id` is None)."""
    tutor = writable_tutor(actor, tutor_id, "plan interventions")
    if isinstance(tutor, Refused):
        return tutor
    if kind not in INTERVENTION_KINDS:
        return Refused("Choose one of the recommended interventions.")
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        scores = (
            tutor_care.score_history(conn=conn, model_id=model["id"], tutor_ids=[tutor["id"]])
            if model
            else None
        )
        if scores is None or scores.empty:
            return Refused("This tutor has no risk score yet, so nothing is recommended.")
        chosen = {r.kind: r for r in recommendations(conn, tutor["id"], scores.iloc[-1])}.get(kind)
        owners = set(accounts.intervention_owners(conn=conn, region_id=tutor["region_id"])["id"])
        planned = tutor_care.interventions(conn=conn, tutor_id=tutor["id"])
        open_kinds = set(planned.loc[planned["status"].isin(OPEN_INTERVENTIONS), "kind"])
    if chosen is None:
        return Refused("That is not recommended for this tutor now.")
    owner = actor.user_id if owner_id is None else owner_id
    if owner not in owners:
        return Refused(
            "Choose an owner who looks after this tutor's region.",
            denied=True,
            detail={"what": "intervention owner", "owner": str(owner)[:20]},
        )
    label = kind.replace("_", " ")
    already = Refused(f"A {label} intervention is already open for this tutor: move that one on.")
    if kind in open_kinds:
        return already
    try:
        with transaction() as conn:
            new_id = _add_and_tell(conn, actor, tutor, chosen, owner, now)
    except IntegrityError as error:  # the same kind planned a moment ago?
        if not tutor_care.is_second_open(error):
            raise
        return already
    return Done(f"Planned: {label}.", new_id)


def _add_and_tell(
    conn: Connection,
    actor: Actor,
    tutor: dict[str, Any],
    chosen: Recommendation,
    owner: int,
    now: datetime,
) -> int:
    """The planned intervention, its event for the owner and its audit entry, in `conn`."""
    new_id = tutor_care.add_intervention(
        conn=conn,
        tutor_id=tutor["id"],
        kind=chosen.kind,
        reason=chosen.reason,
        owner_id=owner,
        due_on=chosen.due_on,
        now=now,
    )
    label = chosen.kind.replace("_", " ")
    _event(conn, actor, tutor, "planned", f"planned {label}", now=now, notify=[owner])
    record(
        conn,
        actor,
        "intervention.created",
        now=now,
        entity_type="intervention",
        entity_id=new_id,
        tutor_id=tutor["id"],
        after={
            "kind": chosen.kind,
            "status": "planned",
            "due_on": chosen.due_on.isoformat(),
            "owner": owner,
        },
    )
    return new_id


def move_intervention(
    *,
    actor: Actor,
    tutor_id: Any,
    intervention_id: Any,
    status: Any,
    outcome: str | None,
    now: datetime,
) -> Done | Refused:
    """Move an open intervention on (see MOVES); done needs an outcome."""
    tutor = writable_tutor(actor, tutor_id, "change interventions")
    if isinstance(tutor, Refused):
        return tutor
    outcome = (outcome or "").strip()[:MAX_OUTCOME] or None
    with transaction() as conn:
        before = (
            tutor_care.intervention(conn=conn, intervention_id=intervention_id)
            if is_id(intervention_id)
            else None
        )
        if before is None or before["tutor_id"] != tutor["id"]:
            return Refused("Choose one of this tutor's open interventions.")
        if status not in MOVES[before["status"]]:
            return Refused(
                f"A {before['status'].replace('_', ' ')} intervention cannot become "
                f"{str(status).replace('_', ' ')}."
            )
        if status == "done" and not outcome:
            return Refused("Say what came of it before marking it done.")
        tutor_care.set_intervention_status(
            conn=conn, intervention_id=before["id"], status=status, outcome=outcome, now=now
        )
        moved = f"moved {before['kind'].replace('_', ' ')} to {status.replace('_', ' ')}"
        _event(conn, actor, tutor, status, moved, now=now)
        record(
            conn,
            actor,
            "intervention.status_changed",
            now=now,
            entity_type="intervention",
            entity_id=before["id"],
            before={"status": before["status"], "outcome": before["outcome"]},
            after={"status": status, "outcome": outcome},
        )
    return Done(f"Now {status.replace('_', ' ')}.", before["id"])


def note_for_change(actor: Actor, tutor: dict[str, Any], note_id: Any) -> dict[str, Any] | Refused:
    """A note of this tutor the actor may change: their own, or any for an admin."""
    if not is_id(note_id):
        return Refused("Choose a note.", denied=True, detail={"what": "note"})
    with connect() as conn:
        note = tutor_care.note(conn=conn, note_id=note_id)
    if note is None or note["tutor_id"] != tutor["id"]:
        return Refused(
            "That note is not on this tutor's record.",
            denied=True,
            detail={"what": "note", "note_id": note_id},
        )
    if note["author_id"] != actor.user_id and actor.role != "admin":
        return Refused(
            "Only its author or an admin changes a note.",
            denied=True,
            detail={"what": "note", "note_id": note_id},
        )
    return note


def save_note(
    *,
    actor: Actor,
    tutor_id: Any,
    body: str | None,
    important: bool,
    note_id: Any = None,
    now: datetime,
) -> Done | Refused:
    """Add a note, or change one (`note_id`) the actor may change."""
    tutor = writable_tutor(actor, tutor_id, "write notes")
    if isinstance(tutor, Refused):
        return tutor
    text = (body or "").strip()
    if not text or len(text) > tutor_care.MAX_NOTE:
        return Refused(f"Write a note of 1 to {tutor_care.MAX_NOTE:,} characters.")
    before = None if note_id is None else note_for_change(actor, tutor, note_id)
    if isinstance(before, Refused):
        return before
    with transaction() as conn:
        if before is None:
            saved = tutor_care.add_note(
                conn=conn,
                tutor_id=tutor["id"],
                author_id=actor.user_id,
                body=text,
                important=important,
                now=now,
            )
        else:
            saved = before["id"]
            tutor_care.update_note(
                conn=conn, note_id=saved, body=text, important=important, now=now
            )
        _event(conn, actor, tutor, "noted", "edited a note" if before else "added a note", now=now)
        record(
            conn,
            actor,
            "note.updated" if before else "note.created",
            now=now,
            entity_type="note",
            entity_id=saved,
            tutor_id=tutor["id"],
            before=before and {"body": before["body"], "important": before["is_important"]},
            after={"body": text, "important": important},
        )
    return Done("Saved.", saved)


def delete_note(*, actor: Actor, tutor_id: Any, note_id: Any, now: datetime) -> Done | Refused:
    tutor = writable_tutor(actor, tutor_id, "delete notes")
    if isinstance(tutor, Refused):
        return tutor
    note = note_for_change(actor, tutor, note_id)
    if isinstance(note, Refused):
        return note
    with transaction() as conn:
        tutor_care.delete_note(conn=conn, note_id=note["id"])
        _event(conn, actor, tutor, "deleted", "deleted a note", now=now)
        record(
            conn,
            actor,
            "note.deleted",
            now=now,
            entity_type="note",
            entity_id=note["id"],
            tutor_id=tutor["id"],
            before={"body": note["body"], "important": note["is_important"]},
        )
    return Done("Note deleted.", note["id"])


def _event(
    conn: Connection,
    actor: Actor,
    tutor: dict[str, Any],
    verb: str,
    summary: str,
    *,
    now: datetime,
    notify: list[int] | None = None,
) -> None:
    """The feed entry of a change to a tutor's record, in the change's own transaction."""
    activity.record_event(
        conn=conn,
        actor_id=actor.user_id,
        area="tutor_risk",
        verb=verb,
        entity_type="tutor",
        entity_id=tutor["id"],
        region_id=tutor["region_id"],
        summary=f"{actor.display_name} {summary} for {tutor['name']}",
        now=now,
        notify=notify or [],
    )
