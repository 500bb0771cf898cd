"""The kept tables, in one registry: counts and latest values that pages read instead of
raw history.

Each entry says what the table is computed from (`sources`), what a write must name for the
table to be brought up to date in part (`keys`), who reads it (`readers`) and how it is
built. Writes never recount a kept table themselves: they say what they changed (a
`Change`) and call `follow`, which brings every kept table that depends on it up to date,
for the part that changed, in the writer's transaction. `rebuild` is the one verb for one
table, whole or for a range of days.

The order of `KEPT` matters: a kept table comes after the kept tables it is computed from,
so that `follow` passes a change on (new scores -> latest scores -> loan standings).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, func, select

from data import credit, loans, pricing, rollups, schedules, utilisation
from data.models import Base, ModelVersion

Key = Literal["days", "model", "customers", "schedules"]


@dataclass(frozen=True)
class Change:
    """What a write changed: which source tables, and where. Left None, a place means all
    of it: every day (`first`, `last`, UTC days), every customer, every session. A model
    must be named for the credit tables (nothing is built without one); the risk band
    counts take the active tutor-risk model when none is."""

    tables: frozenset[str]
    first: date | None = None
    last: date | None = None
    model_id: int | None = None
    customer_ids: tuple[int, ...] | None = None
    schedule_ids: tuple[int, ...] | None = None
    region_ids: tuple[int, ...] | None = None  # regions the named sessions were moved out of
    as_of: datetime | None = None  # the moment a table kept for one day is kept for


@dataclass(frozen=True)
class Kept:
    table: str
    sources: frozenset[str]
    keys: tuple[Key, ...]
    readers: tuple[str, ...]
    build: Callable[[Connection, Change], None]
    on_load: bool = field(default=True)  # recounted when data is loaded from outside


def _months(first: date | None, last: date | None) -> Iterable[date | None]:
    if first is None or last is None:
        yield None
        return
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + timedelta(days=32)).replace(day=1)


def _journey_months(conn: Connection, change: Change) -> None:
    for month in _months(change.first, change.last):
        rollups.rebuild_journey_months(conn=conn, month=month)


def _active(conn: Connection, area: str) -> int | None:
    return conn.execute(
        select(func.max(ModelVersion.id)).where(
            ModelVersion.area == area, ModelVersion.is_active.is_(True)
        )
    ).scalar_one()


def _risk_band_counts(conn: Connection, change: Change) -> None:
    """Of the model that scored (or the active one: earlier versions keep the counts written
    with their scores, and pages read only the active one)."""
    model_id = change.model_id or _active(conn, "tutor_risk")
    if model_id is not None:
        rollups.rebuild_risk_band_counts(conn=conn, model_id=model_id)


def _latest_scores(conn: Connection, change: Change) -> None:
    if change.model_id is not None:
        credit.refresh_latest_scores(
            conn=conn, model_id=change.model_id, customer_ids=change.customer_ids
        )


def _loan_standings(conn: Connection, change: Change) -> None:
    """Whole, for the day of `as_of` (the scheduled refresh); otherwise only the latest
    scores of the customers whose scores changed."""
    if change.as_of is not None:
        loans.keep_loan_standings(conn=conn, model_id=change.model_id, as_of=change.as_of)
    elif change.model_id is not None:
        many = change.customer_ids is not None and len(change.customer_ids) > credit.FEW_CUSTOMERS
        loans.follow_latest_scores(
            conn=conn, model_id=change.model_id, customer_ids=None if many else change.customer_ids
        )


def _score_sums(conn: Connection, change: Change) -> None:
    """Whole, for the window ending on `as_of`'s day (the scheduled refresh); otherwise the
    regions of the customers who applied, when the kept sums are of that day and model."""
    if change.model_id is None:
        return
    if change.as_of is not None:
        pricing.keep_score_sums(conn=conn, model_id=change.model_id, day=change.as_of.date())
    elif change.customer_ids is not None and change.first is not None:
        pricing.follow_applications(
            conn=conn, model_id=change.model_id, customer_ids=change.customer_ids, day=change.first
        )


def _window_sums(part: utilisation.Part) -> Callable[[Connection, Change], None]:
    """Utilisation's windows: after a write to sessions, their regions, for the day kept;
    otherwise whole, for the day of `as_of` or today (each scheduled refresh recounts every
    kept table, so the windows move on with the day)."""

    def build(conn: Connection, change: Change) -> None:
        if change.as_of is None and change.schedule_ids is not None:
            utilisation.follow_sessions(
                conn=conn,
                part=part,
                schedule_ids=change.schedule_ids,
                first=change.first,
                region_ids=change.region_ids or (),
            )
            return
        day = day_of_moment(change.as_of or datetime.now(UTC))
        utilisation.keep_windows(conn=conn, part=part, day=day)

    return build


def _watch_loans(conn: Connection, change: Change) -> None:
    """Whole, after the rules or many standings changed; otherwise the loans of the few
    customers whose scores moved."""
    few = change.customer_ids is not None and len(change.customer_ids) <= credit.FEW_CUSTOMERS
    partial = few and change.as_of is None and "credit_alert_rules" not in change.tables
    loans.keep_watch_loans(conn=conn, customer_ids=change.customer_ids if partial else None)


KEPT: tuple[Kept, ...] = (
    Kept(
        "session_days",
        frozenset({"tutoring_sessions", "tutors"}),
        ("days",),
        ("data.queries.overview (home, tutoring KPIs)",),
        lambda conn, c: rollups.rebuild_session_days(conn=conn, day=c.first, last=c.last),
    ),
    Kept(
        "application_days",
        frozenset({"credit_applications", "credit_customers"}),
        ("days",),
        ("data.queries.overview (home, credit KPIs)",),
        lambda conn, c: rollups.rebuild_application_days(conn=conn, day=c.first, last=c.last),
    ),
    Kept(
        "journey_days",
        frozenset({"journey_events", "credit_customers"}),
        ("days",),
        ("data.credit (journey page)",),
        lambda conn, c: rollups.rebuild_journey_days(conn=conn, day=c.first, last=c.last),
    ),
    Kept(
        "journey_months",
        frozenset({"journey_days"}),
        ("days",),
        ("data.credit (journey page, by month)",),
        _journey_months,
    ),
    Kept(
        "risk_band_counts",
        frozenset({"tutor_risk_scores", "tutors"}),
        ("model",),
        ("data.tutor_risk (risk overview, home)",),
        _risk_band_counts,
    ),
    Kept(
        "schedules",  # its kept columns: attendees and absent per session
        frozenset({"schedule_attendees"}),
        ("schedules",),
        ("data.schedules (utilisation, no-show rate)",),
        lambda conn, c: schedules.count_attendees(conn=conn, schedule_ids=c.schedule_ids),
    ),
    *(
        Kept(
            part.table.__tablename__,
            frozenset({"schedules"}),
            ("schedules",),
            ("data.utilisation (utilisation page)",),
            _window_sums(part),
        )
        for part in utilisation.PARTS
    ),
    Kept(
        "loan_book",
        frozenset({"loans", "repayments", "credit_customers"}),
        (),
        ("data.queries.overview (home, credit KPIs)",),
        lambda conn, _c: rollups.rebuild_loan_book(conn=conn),
    ),
    Kept(
        "customer_counts",
        frozenset({"credit_customers"}),
        (),
        ("data.credit (portfolio, its count when nothing narrows it)",),
        lambda conn, _c: rollups.rebuild_customer_counts(conn=conn),
    ),
    Kept(
        "credit_latest_scores",
        frozenset({"credit_scores", "credit_applications"}),
        ("model", "customers"),
        ("data.credit (portfolio, customer)", "data.loans"),
        _latest_scores,
        on_load=False,
    ),
    Kept(
        "loan_standings",
        frozenset({"loans", "repayments", "credit_latest_scores"}),
        ("model", "customers"),
        ("data.loans (watchlist, alerts)",),
        _loan_standings,
        on_load=False,
    ),
    Kept(
        "watch_loans",
        frozenset({"loan_standings", "credit_alert_rules"}),
        ("customers",),
        ("data.loans (the watchlist's order and count)",),
        _watch_loans,
        on_load=False,
    ),
    Kept(
        "score_sums",
        frozenset({"credit_scores", "credit_applications"}),
        ("model", "customers", "days"),
        ("data.pricing (pricing page)",),
        _score_sums,
        on_load=False,
    ),
)
BY_TABLE = {kept.table: kept for kept in KEPT}


def rebuild(table: str, *, conn: Connection, change: Change | None = None) -> int:
    """Build one kept table, whole or for the part `change` names; the rows it then holds."""
    kept = BY_TABLE[table]
    kept.build(conn, change or Change(tables=kept.sources))
    return int(
        conn.execute(select(func.count()).select_from(Base.metadata.tables[table])).scalar_one()
    )


def follow(*, conn: Connection, change: Change) -> list[str]:
    """Bring every kept table computed from what `change` touched up to date, in order, each
    for the part named; a rebuilt kept table is passed on as changed. The tables rebuilt."""
    rebuilt = []
    for kept in KEPT:
        if kept.sources & change.tables:
            kept.build(conn, change)
            rebuilt.append(kept.table)
            change = replace(change, tables=change.tables | {kept.table})
    return rebuilt


def recount_loaded(
    *,
    conn: Connection,
    first: date | None = None,
    last: date | None = None,
    touched: frozenset[str] | None = None,
) -> None:
    """After data loaded from outside: every kept count (nothing named), or the daily
    counts of `first` to `last` only, and, for a load that says which tables it wrote
    (`touched`), also the other kept tables counted from one of them, whole."""
    everything = first is None and touched is None
    days = first is not None and last is not None
    chosen: list[Kept] = []
    for k in KEPT:  # a kept table recounted is passed on, as `follow` does
        passed_on = touched is not None and bool(k.sources & (touched | {c.table for c in chosen}))
        if k.on_load and (everything or (days if "days" in k.keys else passed_on)):
            chosen.append(k)
    change = Change(tables=frozenset().union(*(k.sources for k in chosen)), first=first, last=last)
    for kept in chosen:
        kept.build(conn, change)


def day_of_moment(moment: datetime) -> date:
    """The UTC day the kept daily tables file a moment under."""
    return moment.astimezone(UTC).date()
