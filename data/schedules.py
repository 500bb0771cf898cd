"""Sessions with hosts, rooms and attendees: lists, calendars, bookings and utilisation.

A host is a key: "tutor:<id>" for a tutor, "user:<id>" for a mentor (a Beacon user).
Writes run in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import (
    Connection,
    Select,
    String,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError

from data import kept
from data.cache import mark_changed
from data.grid import ColumnFilter, SortKey, grid_order, grid_where
from data.models import (
    CalendarToken,
    Enrollment,
    PEClass,
    Role,
    Room,
    Schedule,
    School,
    Student,
    Tutor,
    User,
    schedule_attendees,
)
from data.queries.sql import in_regions, read_frame
from vocabulary import SCHEDULE_STATUSES, STAFF

MENTOR_ROLES = STAFF
STATUSES = SCHEDULE_STATUSES


def host_key(tutor_id: int | None, user_id: int | None) -> str:
    return f"tutor:{tutor_id}" if tutor_id is not None else f"user:{user_id}"


def parse_host(key: Any) -> tuple[int | None, int | None]:
    """(tutor_id, user_id) from a host key; ValueError for anything else."""
    kind, _, number = str(key).partition(":")
    if kind not in ("tutor", "user") or not (number.isascii() and number.isdigit()):
        raise ValueError(f"host must be 'tutor:<id>' or 'user:<id>'; got {key!r}")
    return (int(number), None) if kind == "tutor" else (None, int(number))


def hosts(*, conn: Connection, region_ids: Sequence[int] | None) -> pd.DataFrame:
    """Who can host: current tutors in the scope, and active staff users as mentors.

    Columns: host (key), name, kind ("tutor" | "mentor"), region_id (None for mentors).
    """
    tutors = _current_tutors(region_ids)
    frame = read_frame(conn, tutors.union_all(_mentors()))  # type: ignore[arg-type]
    return frame.sort_values(["kind", "name"], ascending=[False, True], ignore_index=True)


def find_hosts(
    *,
    conn: Connection,
    region_ids: Sequence[int] | None,
    text: str | None,
    keys: Sequence[str] = (),
    limit: int = 20,
) -> pd.DataFrame:
    """Hosts for a search-as-you-type picker: the mentors (a handful of staff) and the hosts
    with `keys` (those already chosen; anything but a host key is ignored), and with `text`
    (LIKE-escaped) the first `limit` current tutors in the scope whose name contains it.
    Columns as `hosts`."""
    chosen_tutors = []
    for key in keys:
        try:
            tutor_id, _ = parse_host(key)
        except ValueError:
            continue
        if tutor_id is not None:
            chosen_tutors.append(tutor_id)
    tutors = _current_tutors(region_ids)
    found = (
        tutors.where(Tutor.name.ilike(f"%{text}%", escape="\\")).order_by(Tutor.name).limit(limit)
        if text
        else None
    )
    frames = [
        read_frame(conn, tutors.where(Tutor.id.in_(chosen_tutors))) if chosen_tutors else None,
        read_frame(conn, found) if found is not None else None,
        read_frame(conn, _mentors()),
    ]
    frame = pd.concat([f for f in frames if f is not None], ignore_index=True)
    frame = frame.drop_duplicates("host")
    return frame.sort_values(["kind", "name"], ascending=[False, True], ignore_index=True)


def _current_tutors(region_ids: Sequence[int] | None) -> Select:
    tutors = select(
        (literal("tutor:") + cast(Tutor.id, String)).label("host"),
        Tutor.name,
        literal("tutor").label("kind"),
        Tutor.region_id,
    ).where(Tutor.left_on.is_(None))
    return in_regions(tutors, Tutor.region_id, region_ids)


def _mentors() -> Select:
    return (
        select(
            (literal("user:") + cast(User.id, String)).label("host"),
            User.display_name.label("name"),
            literal("mentor").label("kind"),
            literal(None).label("region_id"),
        )
        .join(Role, Role.id == User.role_id)
        .where(User.is_active, Role.name.in_(MENTOR_ROLES))
    )


def host_names(*, conn: Connection, keys: Sequence[str]) -> dict[str, str]:
    tutor_ids = [t for t, _ in map(parse_host, keys) if t is not None]
    user_ids = [u for _, u in map(parse_host, keys) if u is not None]
    names = {
        f"tutor:{i}": n
        for i, n in conn.execute(select(Tutor.id, Tutor.name).where(Tutor.id.in_(tutor_ids)))
    }
    names |= {
        f"user:{i}": n
        for i, n in conn.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    }
    return names


def rooms(*, conn: Connection, region_ids: Sequence[int] | None) -> pd.DataFrame:
    """Columns: id, name, region_id, capacity."""
    stmt = select(Room.id, Room.name, Room.region_id, Room.capacity).order_by(Room.name)
    if region_ids is not None:
        stmt = stmt.where(Room.region_id.in_(list(region_ids)))
    return read_frame(conn, stmt)


def find_students(
    *, conn: Connection, region_ids: Sequence[int] | None, text: str, limit: int = 20
) -> pd.DataFrame:
    """Students whose name contains `text`, for a search-as-you-type picker.
    Columns: id, name, region_id, grade."""
    stmt = (
        select(Student.id, Student.name, Student.region_id, Student.grade)
        .where(Student.name.ilike(f"%{text}%", escape="\\"))
        .order_by(Student.name)
        .limit(limit)
    )
    if region_ids is not None:
        stmt = stmt.where(Student.region_id.in_(list(region_ids)))
    return read_frame(conn, stmt)


def students_by_id(*, conn: Connection, ids: Sequence[int]) -> pd.DataFrame:
    """Columns: id, name, region_id."""
    return read_frame(
        conn, select(Student.id, Student.name, Student.region_id).where(Student.id.in_(list(ids)))
    )


def groups(*, conn: Connection, region_ids: Sequence[int] | None) -> pd.DataFrame:
    """Groups a whole class of students can be booked as (the PE classes).
    Columns: id, name, region_id."""
    stmt = select(
        PEClass.id, (School.name + " · " + PEClass.name).label("name"), School.region_id
    ).join(School, School.id == PEClass.school_id)
    if region_ids is not None:
        stmt = stmt.where(School.region_id.in_(list(region_ids)))
    return read_frame(conn, stmt.order_by(School.name, PEClass.grade))


def group_members(*, conn: Connection, group_id: int) -> list[int]:
    return list(
        conn.execute(select(Enrollment.student_id).where(Enrollment.class_id == group_id)).scalars()
    )


def _host_column() -> Any:
    return case(
        (
            Schedule.host_tutor_id.is_not(None),
            literal("tutor:") + cast(Schedule.host_tutor_id, String),
        ),
        else_=literal("user:") + cast(Schedule.host_user_id, String),
    )


def _with_students(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    ids = [int(i) for i in frame["id"]]
    pairs = conn.execute(
        select(schedule_attendees.c.schedule_id, schedule_attendees.c.student_id).where(
            schedule_attendees.c.schedule_id.in_(ids)
        )
    ).all()
    members: dict[int, list[int]] = {}
    for schedule_id, student_id in pairs:
        members.setdefault(schedule_id, []).append(student_id)
    return frame.assign(
        students=pd.Series(
            [members.get(int(i), []) for i in frame["id"]], index=frame.index, dtype=object
        )
    )


def busy(
    *,
    conn: Connection,
    since: datetime,
    until: datetime,
    host: str,
    room_id: int | None,
    student_ids: Sequence[int],
) -> pd.DataFrame:
    """Sessions (not cancelled) in [since, until) that share the host, the room or an
    attendee; the columns of analytics.scheduling.BUSY_COLUMNS."""
    tutor_id, user_id = parse_host(host)
    shares = [
        Schedule.host_tutor_id == tutor_id
        if tutor_id is not None
        else Schedule.host_user_id == user_id
    ]
    if room_id is not None:
        shares.append(Schedule.room_id == room_id)
    if student_ids:
        shares.append(
            Schedule.id.in_(
                select(schedule_attendees.c.schedule_id).where(
                    schedule_attendees.c.student_id.in_(list(student_ids))
                )
            )
        )
    stmt = select(
        Schedule.id,
        Schedule.title,
        Schedule.starts_at,
        Schedule.ends_at,
        _host_column().label("host"),
        Schedule.room_id,
    ).where(
        Schedule.status != "cancelled",
        Schedule.starts_at < until,
        Schedule.ends_at > since,
        or_(*shares),
    )
    frame = read_frame(conn, stmt)
    for column in ("starts_at", "ends_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return _with_students(conn, frame)


def create(
    *,
    conn: Connection,
    fields: dict[str, Any],
    student_ids: Sequence[int],
    by: int,
    now: datetime,
) -> int:
    """Insert a session and its attendees. `fields`: title, description, focus, host,
    room_id, region_id, starts_at, ends_at."""
    mark_changed(conn, "schedules")
    values = _columns(fields)
    schedule_id = conn.execute(
        insert(Schedule)
        .values(**values, status="scheduled", created_by_id=by, created_at=now)
        .returning(Schedule.id)
    ).scalar_one()
    _set_attendees(conn, int(schedule_id), student_ids)
    _changed(conn, int(schedule_id), values["starts_at"])
    return int(schedule_id)


def update_details(
    *,
    conn: Connection,
    schedule_id: int,
    fields: dict[str, Any],
    student_ids: Sequence[int],
    by: int,
    now: datetime,
) -> None:
    mark_changed(conn, "schedules")
    before = conn.execute(
        select(Schedule.starts_at, Schedule.region_id).where(Schedule.id == schedule_id)
    ).one()
    values = _columns(fields)
    conn.execute(
        update(Schedule)
        .where(Schedule.id == schedule_id)
        .values(**values, updated_by_id=by, updated_at=now)
    )
    conn.execute(delete(schedule_attendees).where(schedule_attendees.c.schedule_id == schedule_id))
    _set_attendees(conn, schedule_id, student_ids)
    _changed(conn, schedule_id, min(before.starts_at, values["starts_at"]), before.region_id)


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    tutor_id, user_id = parse_host(fields["host"])
    return {
        "title": fields["title"],
        "description": fields.get("description", ""),
        "focus": fields.get("focus", ""),
        "host_tutor_id": tutor_id,
        "host_user_id": user_id,
        "room_id": fields.get("room_id"),
        "region_id": fields["region_id"],
        "starts_at": fields["starts_at"],
        "ends_at": fields["ends_at"],
    }


def _set_attendees(conn: Connection, schedule_id: int, student_ids: Sequence[int]) -> None:
    if student_ids:
        conn.execute(
            insert(schedule_attendees),
            [{"schedule_id": schedule_id, "student_id": int(s)} for s in sorted(set(student_ids))],
        )


def _changed(
    conn: Connection, schedule_id: int, first: datetime, moved_from: int | None = None
) -> None:
    """Bring the kept tables up to date after a write to a session and its attendees:
    `first` is the earliest start it had or has, `moved_from` the region it had."""
    change = kept.Change(
        tables=frozenset({"schedule_attendees", "schedules"}),
        schedule_ids=(schedule_id,),
        first=kept.day_of_moment(first),
        region_ids=None if moved_from is None else (moved_from,),
    )
    kept.follow(conn=conn, change=change)


def count_attendees(*, conn: Connection, schedule_ids: Sequence[int] | None = None) -> None:
    """Keep each session's `attendees` and `absent` (marked not attended) equal to its
    attendee rows: of the sessions named, or of every session (data.kept, after a load or
    a refresh). Only sessions whose counts differ are written."""
    rows = schedule_attendees.c
    counted = select(
        rows.schedule_id,
        func.count().label("attendees"),
        func.count().filter(rows.attended.is_(False)).label("absent"),
    ).group_by(rows.schedule_id)
    named: list[Any] = []
    if schedule_ids is not None:
        counted = counted.where(rows.schedule_id.in_(list(schedule_ids)))
        named.append(Schedule.id.in_(list(schedule_ids)))
    counts = counted.subquery()
    conn.execute(
        update(Schedule)
        .where(
            Schedule.id == counts.c.schedule_id,
            or_(Schedule.attendees != counts.c.attendees, Schedule.absent != counts.c.absent),
        )
        .values(attendees=counts.c.attendees, absent=counts.c.absent)
    )
    none_left = ~select(rows.schedule_id).where(rows.schedule_id == Schedule.id).exists()
    conn.execute(
        update(Schedule)
        .where(*named, or_(Schedule.attendees != 0, Schedule.absent != 0), none_left)
        .values(attendees=0, absent=0)
    )


def set_status(
    *,
    conn: Connection,
    schedule_id: int,
    status: str,
    by: int,
    now: datetime,
    absent: Sequence[int] = (),
) -> bool:
    """Move a scheduled session to completed or cancelled; False if it was no longer
    scheduled (someone else got there first). On completion, `absent` students are no-shows."""
    mark_changed(conn, "schedules")
    if status not in ("completed", "cancelled"):
        raise ValueError(f"status must be completed or cancelled; got {status!r}")
    moved = conn.execute(
        update(Schedule)
        .where(Schedule.id == schedule_id, Schedule.status == "scheduled")
        .values(status=status, status_changed_by_id=by, status_changed_at=now)
        .returning(Schedule.starts_at)
    ).scalar_one_or_none()
    if moved is None:
        return False
    if status == "completed":
        attended = schedule_attendees.c.student_id.not_in(list(absent)) if absent else literal(True)
        conn.execute(
            update(schedule_attendees)
            .where(schedule_attendees.c.schedule_id == schedule_id)
            .values(attended=attended)
        )
    _changed(conn, schedule_id, moved)
    return True


def one(*, conn: Connection, schedule_id: int) -> dict[str, Any] | None:
    """One session with its host key and attendee ids, or None."""
    row = conn.execute(
        select(*Schedule.__table__.columns, _host_column().label("host")).where(
            Schedule.id == schedule_id
        )
    ).first()
    if row is None:
        return None
    students = list(
        conn.execute(
            select(schedule_attendees.c.student_id)
            .where(schedule_attendees.c.schedule_id == schedule_id)
            .order_by(schedule_attendees.c.student_id)
        ).scalars()
    )
    keep = (
        "id",
        "title",
        "description",
        "focus",
        "host",
        "room_id",
        "region_id",
        "starts_at",
        "ends_at",
        "status",
        "status_changed_by_id",
        "status_changed_at",
    )
    return {k: row._mapping[k] for k in keep} | {"students": students}


def _listing_columns() -> dict[str, Any]:
    return {
        "starts_at": Schedule.starts_at,
        "title": Schedule.title,
        "host_name": func.coalesce(Tutor.name, User.display_name),
        "room": Room.name,
        "attendees": _attendees(),
    }


def _attendees() -> Any:
    return (
        select(func.count())
        .select_from(schedule_attendees)
        .where(schedule_attendees.c.schedule_id == Schedule.id)
        .scalar_subquery()
    )


def _joined(statement: Select) -> Select:
    """A statement on sessions with their host (tutor or user) and room joined."""
    return (
        statement.outerjoin(Tutor, Tutor.id == Schedule.host_tutor_id)
        .outerjoin(User, User.id == Schedule.host_user_id)
        .outerjoin(Room, Room.id == Schedule.room_id)
    )


def _listing() -> Select:
    return _joined(
        select(
            Schedule.id,
            Schedule.title,
            Schedule.focus,
            Schedule.starts_at,
            Schedule.ends_at,
            Schedule.status,
            _host_column().label("host"),
            func.coalesce(Tutor.name, User.display_name).label("host_name"),
            Room.name.label("room"),
            Schedule.region_id,
            _attendees().label("attendees"),
        )
    )


def _filters(
    region_ids: Sequence[int] | None,
    host: str | None,
    student_id: int | None,
    room_id: int | None,
    status: str | None,
    since: datetime | None,
    until: datetime | None,
) -> list[Any]:
    conditions: list[Any] = []
    if region_ids is not None:
        conditions.append(Schedule.region_id.in_(list(region_ids)))
    if host:
        tutor_id, user_id = parse_host(host)
        conditions.append(
            Schedule.host_tutor_id == tutor_id if tutor_id else Schedule.host_user_id == user_id
        )
    if student_id is not None:
        conditions.append(
            Schedule.id.in_(
                select(schedule_attendees.c.schedule_id).where(
                    schedule_attendees.c.student_id == student_id
                )
            )
        )
    if room_id is not None:
        conditions.append(Schedule.room_id == room_id)
    if status:
        conditions.append(Schedule.status == status)
    if since is not None:
        conditions.append(Schedule.ends_at > since)
    if until is not None:
        conditions.append(Schedule.starts_at < until)
    return conditions


def listing(
    *,
    conn: Connection,
    region_ids: Sequence[int] | None,
    host: str | None = None,
    student_id: int | None = None,
    room_id: int | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    sort: Sequence[SortKey] = (),
    filters: Sequence[ColumnFilter] = (),
    zone: str = "UTC",
    starting: bool = False,
    limit: int | None = 50,
    offset: int = 0,
) -> tuple[pd.DataFrame, int]:
    """Sessions under the filters, in start order unless `sort` says otherwise, one page of
    them and how many match. `sort` and `filters` (a grid's) work on starts_at (days in
    `zone`), title, host_name, room and attendees (sort only). [since, until) takes the
    sessions that overlap it, or with `starting` those that start in it (consecutive ranges
    then never list a session twice).

    Columns: id, title, focus, starts_at, ends_at (datetime64 UTC), status, host, host_name,
    room, region_id, attendees (int).
    """
    shown = _listing_columns()
    conditions = _filters(region_ids, host, student_id, room_id, status, since, until)
    if starting and since is not None:
        conditions.append(Schedule.starts_at >= since)
    conditions += grid_where(filters, shown, zone=ZoneInfo(zone))
    counted = select(func.count()).select_from(Schedule)
    if filters:
        counted = _joined(counted)
    total = conn.execute(counted.where(*conditions)).scalar_one()
    order = [*grid_order(sort or [SortKey("starts_at")], shown), Schedule.id]
    stmt = _listing().where(*conditions).order_by(*order).offset(offset)
    frame = read_frame(conn, stmt.limit(limit) if limit else stmt)
    for column in ("starts_at", "ends_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame, int(total)


def in_view(
    *,
    conn: Connection,
    view: ScheduleView,
    region_ids: Sequence[int] | None,
    since: datetime,
    until: datetime,
    limit: int | None,
    offset: int = 0,
    sort: Sequence[SortKey] = (),
    filters: Sequence[ColumnFilter] = (),
    zone: str = "UTC",
) -> tuple[pd.DataFrame, int]:
    """`listing` under a calendar or list view's filters (and a grid's sort and filters)."""
    return listing(
        conn=conn,
        region_ids=region_ids,
        host=view.host,
        student_id=view.student_id,
        room_id=view.room_id,
        status=view.status,
        since=since,
        until=until,
        sort=sort,
        filters=filters,
        zone=zone,
        limit=limit,
        offset=offset,
    )


def calendar_days(
    *,
    conn: Connection,
    view: ScheduleView,
    region_ids: Sequence[int] | None,
    since: datetime,
    until: datetime,
    zone: str,
    per_day: int,
) -> tuple[pd.DataFrame, pd.Series]:
    """A calendar's sessions: the first `per_day` that start on each local day from `since`
    to `until` (columns of `listing`) and how many start on each day in all (a Series of
    int indexed by date, the days with sessions). Read down the start index, a count per
    day and a few rows per day: a busy week or month never ships every session, and the
    reads do not grow with the bookings (#26). A session that began before `since` is
    the earlier day's (its calendar draws it)."""
    conditions = _filters(
        region_ids, view.host, view.student_id, view.room_id, view.status, None, None
    )
    tz = ZoneInfo(zone)
    first, following = since.astimezone(tz).date(), until.astimezone(tz).date()
    midnights = [
        datetime.combine(first + timedelta(days=d), time.min, tz).astimezone(UTC)
        for d in range(1, (following - first).days)
    ]
    days = list(zip([since, *midnights], [*midnights, until], strict=True))
    starting = [Schedule.starts_at >= since, Schedule.starts_at < until]
    per_day_counts = conn.execute(
        select(
            *(func.count().filter(Schedule.starts_at >= a, Schedule.starts_at < b) for a, b in days)
        ).where(*conditions, *starting)
    ).one()
    counted = [(first + timedelta(days=i), int(n)) for i, n in enumerate(per_day_counts) if n]
    counts = pd.Series(
        [n for _, n in counted], index=[d for d, _ in counted], dtype=int, name="starts_at"
    )
    firsts = [
        select(Schedule.id)
        .where(*conditions, Schedule.starts_at >= a, Schedule.starts_at < b)
        .order_by(Schedule.starts_at, Schedule.id)
        .limit(per_day)
        .subquery()
        for (a, b), n in zip(days, per_day_counts, strict=True)
        if n
    ]
    shown = (
        list(conn.execute(union_all(*(select(f.c.id) for f in firsts))).scalars()) if firsts else []
    )
    frame = read_frame(
        conn,
        _listing().where(Schedule.id.in_(shown or [-1])).order_by(Schedule.starts_at, Schedule.id),
    )
    for column in ("starts_at", "ends_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame, counts


def hosted_by(
    *, conn: Connection, user_id: int, since: datetime | None = None, until: datetime | None = None
) -> pd.DataFrame:
    """The sessions a user hosts as a mentor ("my schedule"); the columns of `listing`."""
    frame, _ = listing(
        conn=conn, region_ids=None, host=f"user:{user_id}", since=since, until=until, limit=None
    )
    return frame


def active_token_user(*, conn: Connection, token_hash: str) -> int | None:
    """The active user behind a calendar subscription token, if it is not revoked."""
    return conn.execute(
        select(CalendarToken.user_id)
        .join(User, User.id == CalendarToken.user_id)
        .where(
            CalendarToken.token_hash == token_hash,
            CalendarToken.revoked_at.is_(None),
            User.is_active,
        )
    ).scalar_one_or_none()


def has_token(*, conn: Connection, user_id: int) -> bool:
    return (
        conn.execute(
            select(CalendarToken.id).where(
                CalendarToken.user_id == user_id, CalendarToken.revoked_at.is_(None)
            )
        ).first()
        is not None
    )


def replace_token(*, conn: Connection, user_id: int, token_hash: str | None, now: datetime) -> None:
    """Revoke the user's subscription address and, given a new hash, start a new one."""
    conn.execute(
        update(CalendarToken)
        .where(CalendarToken.user_id == user_id, CalendarToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if token_hash:
        conn.execute(
            insert(CalendarToken).values(user_id=user_id, token_hash=token_hash, created_at=now)
        )


VIEWS = ("week", "month", "list")


@dataclass(frozen=True)
class ScheduleView:
    """The filters of a calendar or list view, parsed from a query string and checked:
    anything malformed is dropped, never passed on."""

    view: str = "week"
    anchor: date | None = None  # the day the week or month is shown around
    until: date | None = None  # the list's last day (default: four weeks from the anchor)
    host: str | None = None
    room_id: int | None = None
    student_id: int | None = None
    status: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> ScheduleView:
        def number(key: str) -> int | None:
            value = str(args.get(key) or "")
            ok = value.isascii() and value.isdigit() and len(value) < 10  # not "²"
            return int(value) if ok else None

        host = args.get("host")
        try:
            parse_host(host)
        except ValueError:
            host = None

        def day(key: str) -> date | None:
            try:
                return date.fromisoformat(str(args.get(key))[:10])
            except ValueError:
                return None

        anchor, until = day("date"), day("until")
        if anchor and until and (until < anchor or (until - anchor).days > 366):
            until = None  # reversed or over a year: back to the default window
        return cls(
            view=str(args.get("view")) if args.get("view") in VIEWS else "week",
            anchor=anchor,
            until=until,
            host=host,
            room_id=number("room"),
            student_id=number("student"),
            status=str(args.get("status")) if args.get("status") in STATUSES else None,
        )

    def query(self, **changes: Any) -> dict[str, str]:
        values = {
            "view": self.view,
            "date": self.anchor.isoformat() if self.anchor else None,
            "until": self.until.isoformat() if self.until and self.view == "list" else None,
            "host": self.host,
            "room": self.room_id,
            "student": self.student_id,
            "status": self.status,
        } | changes
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    def moments(
        self, today: date, zone: str, *, whole_weeks: bool = False
    ) -> tuple[date, date, datetime, datetime]:
        """The window's first and following day, and the same as UTC instants of local
        midnight in `zone`; with `whole_weeks`, the instants span the Monday-to-Sunday weeks
        the window touches (what a month's grid draws, its neighbours' days too)."""
        first, following = self.window(today)
        start, end = first, following
        if whole_weeks:
            start -= timedelta(days=start.weekday())
            end += timedelta(days=(7 - end.weekday()) % 7)
        tz = ZoneInfo(zone)
        return (
            first,
            following,
            datetime.combine(start, time.min, tz).astimezone(UTC),
            datetime.combine(end, time.min, tz).astimezone(UTC),
        )

    def window(self, today: date) -> tuple[date, date]:
        """The first and the day after the last day shown."""
        anchor = self.anchor or today
        if self.view == "month":
            first = anchor.replace(day=1)
            following = (first + timedelta(days=32)).replace(day=1)
            return first, following
        if self.view == "week":
            monday = anchor - timedelta(days=anchor.weekday())
            return monday, monday + timedelta(days=7)
        if self.until and self.until >= anchor:
            return anchor, self.until + timedelta(days=1)
        return anchor, anchor + timedelta(days=28)


# PostgreSQL's exclusion constraints (migration 0b1d6a3c4e5f): two live sessions of one host
# or one room never overlap.
NO_OVERLAP = tuple(f"schedules_no_overlap_{key}" for key in ("tutor", "user", "room"))


def is_double_booking(error: IntegrityError) -> bool:
    """Whether a write was refused by one of the no-overlap constraints."""
    return any(name in str(error.orig) for name in NO_OVERLAP)
