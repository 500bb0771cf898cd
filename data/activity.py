"""The activity feed and notifications.

An event is written in the same transaction as the change it describes, so there is
never a change without its event nor an event without its change. Notifications
point at events; whether a user may see one is decided twice: who gets it when it is
written, and the reader's region scope when it is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, func, insert, or_, select, update

from data.models import ActivityEvent, Notification, Region, Role, User, user_regions
from data.queries.sql import read_frame

AREAS = ("schedules", "tutor_risk", "pe", "credit", "system")
FEED_AREAS = AREAS[:4]  # "system" (a failed refresh) only notifies admins; the feed is the work


def record_event(
    *,
    conn: Connection,
    actor_id: int | None,
    area: str,
    verb: str,
    entity_type: str,
    entity_id: int,
    region_id: int | None,
    summary: str,
    now: datetime,
    notify: Sequence[int] = (),
) -> int:
    """Write one event and notify those of `notify` who may see it (never the actor)."""
    if area not in AREAS:
        raise ValueError(f"area must be one of {AREAS}; got {area!r}")
    event_id = conn.execute(
        insert(ActivityEvent)
        .values(
            occurred_at=now,
            actor_id=actor_id,
            area=area,
            verb=verb,
            entity_type=entity_type,
            entity_id=entity_id,
            region_id=region_id,
            summary=summary[:500],
        )
        .returning(ActivityEvent.id)
    ).scalar_one()
    recipients = _may_see(conn, [u for u in set(notify) if u != actor_id], region_id)
    if recipients:
        conn.execute(
            insert(Notification),
            [{"user_id": u, "event_id": event_id, "created_at": now} for u in recipients],
        )
    return int(event_id)


def _may_see(conn: Connection, user_ids: Sequence[int], region_id: int | None) -> list[int]:
    """Active users among `user_ids` whose scope covers the region (managers: their own)."""
    if not user_ids:
        return []
    rows = conn.execute(
        select(User.id, Role.name)
        .join(Role, Role.id == User.role_id)
        .where(User.id.in_(list(user_ids)), User.is_active)
    ).all()
    managers = {uid for uid, role in rows if role == "manager"}
    in_region = set()
    if managers and region_id is not None:
        in_region = set(
            conn.execute(
                select(user_regions.c.user_id).where(
                    user_regions.c.user_id.in_(managers), user_regions.c.region_id == region_id
                )
            ).scalars()
        )
    return sorted(uid for uid, role in rows if role != "manager" or uid in in_region)


def region_managers(*, conn: Connection, region_id: int) -> list[int]:
    """Active managers responsible for a region."""
    return list(
        conn.execute(
            select(User.id)
            .join(Role, Role.id == User.role_id)
            .join(user_regions, user_regions.c.user_id == User.id)
            .where(Role.name == "manager", User.is_active, user_regions.c.region_id == region_id)
        ).scalars()
    )


def _visible(region_ids: Sequence[int] | None):  # type: ignore[no-untyped-def]
    if region_ids is None:
        return []
    return [or_(ActivityEvent.region_id.in_(list(region_ids)), ActivityEvent.region_id.is_(None))]


def latest_event_id(*, conn: Connection, region_ids: Sequence[int] | None) -> int:
    """The highest id of the feed's events in a region scope (0 for none): what a reader has
    been shown when a view opens; anything recorded after it is new to them."""
    newest = conn.execute(
        select(func.max(ActivityEvent.id)).where(
            *_visible(region_ids), ActivityEvent.area.in_(FEED_AREAS)
        )
    ).scalar_one()
    return int(newest or 0)


def feed(
    *,
    conn: Connection,
    region_ids: Sequence[int] | None,
    area: str | None = None,
    since: datetime | None = None,
    limit: int = 30,
    offset: int = 0,
    after_id: int | None = None,
) -> tuple[pd.DataFrame, int]:
    """One page of events in a region scope, newest first, and how many match (only those
    recorded after event `after_id`, when given).

    Columns: id, occurred_at (datetime64 UTC), actor (str or None), area, verb,
    entity_type, entity_id, region (str or None), summary.
    """
    conditions = _visible(region_ids)
    conditions.append(ActivityEvent.area == area if area else ActivityEvent.area.in_(FEED_AREAS))
    if since is not None:
        conditions.append(ActivityEvent.occurred_at >= since)
    if after_id is not None:
        conditions.append(ActivityEvent.id > after_id)
    total = conn.execute(
        select(func.count()).select_from(ActivityEvent).where(*conditions)
    ).scalar_one()
    stmt = (
        select(
            ActivityEvent.id,
            ActivityEvent.occurred_at,
            User.display_name.label("actor"),
            ActivityEvent.area,
            ActivityEvent.verb,
            ActivityEvent.entity_type,
            ActivityEvent.entity_id,
            Region.name.label("region"),
            ActivityEvent.summary,
        )
        .outerjoin(User, User.id == ActivityEvent.actor_id)
        .outerjoin(Region, Region.id == ActivityEvent.region_id)
        .where(*conditions)
        .order_by(ActivityEvent.occurred_at.desc(), ActivityEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    frame = read_frame(conn, stmt)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    return frame, int(total)


def notifications(
    *, conn: Connection, user_id: int, region_ids: Sequence[int] | None, limit: int = 10
) -> pd.DataFrame:
    """A user's latest notifications they may still see, newest first.

    Columns: id, created_at (datetime64 UTC), read (bool), area, entity_type, entity_id,
    summary, region (its name; None for an event of no region).
    """
    stmt = (
        select(
            Notification.id,
            Notification.created_at,
            Notification.read_at.is_not(None).label("read"),
            ActivityEvent.area,
            ActivityEvent.entity_type,
            ActivityEvent.entity_id,
            ActivityEvent.summary,
            Region.name.label("region"),
        )
        .join(ActivityEvent, ActivityEvent.id == Notification.event_id)
        .outerjoin(Region, Region.id == ActivityEvent.region_id)
        .where(Notification.user_id == user_id, *_visible(region_ids))
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    frame = read_frame(conn, stmt)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def unread(*, conn: Connection, user_id: int, region_ids: Sequence[int] | None) -> tuple[int, int]:
    """How many unread notifications the user has, and the id of the newest (0 for none)."""
    count, newest = conn.execute(
        select(func.count(), func.coalesce(func.max(Notification.id), 0))
        .select_from(Notification)
        .join(ActivityEvent, ActivityEvent.id == Notification.event_id)
        .where(
            Notification.user_id == user_id, Notification.read_at.is_(None), *_visible(region_ids)
        )
    ).one()
    return int(count), int(newest)


def mark_read(
    *, conn: Connection, user_id: int, now: datetime, notification_ids: Sequence[int] | None = None
) -> int:
    """Mark some (or, with None, all) of a user's notifications read; returns how many changed.
    Another user's notification ids are ignored."""
    conditions = [Notification.user_id == user_id, Notification.read_at.is_(None)]
    if notification_ids is not None:
        conditions.append(Notification.id.in_(list(notification_ids)))
    result = conn.execute(update(Notification).where(*conditions).values(read_at=now))
    return int(result.rowcount or 0)
