"""The watchlist: the active loans the alert rules catch, worst first, within the actor's
regions. The Watchlist page, its exports and the API read it here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection

from actions.base import Actor
from analytics.early_warning import SEVERITIES, lowest_thresholds, triggered, watchlist
from data import credit, loans
from data.engine import connect
from data.grid import ColumnFilter, SortKey, filter_frame, sort_frame


def watched_loans(
    *, actor: Actor, severity: str | None, rule_id: int | None, now: datetime
) -> pd.DataFrame:
    """Every active loan the active rules (or the one chosen) catch, at or above `severity`.
    Columns: those of `loans.loan_behaviour`, severity, rules. As of the newest application
    on record (`now` on an empty book)."""
    with connect() as conn:
        as_of, model_id = _standing(conn, now)
        rules = credit.alert_rules(conn=conn, active_only=True)
        if rule_id is not None:
            rules = rules[rules["id"] == rule_id]
        behaviour = loans.loan_behaviour(
            conn=conn,
            model_id=model_id,
            region_ids=_scope(actor),
            as_of=as_of,
            catching=lowest_thresholds(rules),
        )
    listed = watchlist(behaviour, triggered(behaviour, rules))
    if severity:
        listed = listed[listed["severity"].map(SEVERITIES.index) >= SEVERITIES.index(severity)]
    return listed


def watched_page(
    *, actor: Actor, severity: str | None, now: datetime, offset: int, limit: int
) -> tuple[pd.DataFrame, int] | None:
    """One page of `watched_loans` for every active rule, in its order, and how many loans
    it lists: the order and the count read from the kept `watch_loans`, the page's rows
    from the standings, so neither grows with the loans caught (#26). None when the kept
    standings are not of the data's day and the active model: read `watched_loans`."""
    scope = _scope(actor)
    with connect() as conn:
        as_of, model_id = _standing(conn, now)
        page = loans.watch_page(
            conn=conn,
            model_id=model_id,
            region_ids=scope,
            as_of=as_of,
            worst_at_least=SEVERITIES.index(severity) if severity else 0,
            offset=offset,
            limit=limit,
        )
        if page is None:
            return None
        ids, total = page
        rules = credit.alert_rules(conn=conn, active_only=True)
        behaviour = loans.loan_behaviour(
            conn=conn, model_id=model_id, region_ids=scope, as_of=as_of, loan_ids=ids
        )
    listed = watchlist(behaviour, triggered(behaviour, rules))
    return listed, total


def _standing(conn: Connection, now: datetime) -> tuple[datetime, int | None]:
    """The day the loans stand on (the newest application on record, `now` on an empty
    book) and the active model's id: what both the whole list and its kept page read."""
    model = credit.active_model(conn=conn)
    return credit.newest_application(conn=conn) or now, model["id"] if model else None


def _scope(actor: Actor) -> list[int] | None:
    return None if actor.region_ids is None else list(actor.region_ids)


def graded(
    listed: pd.DataFrame, sort: Sequence[SortKey] = (), filters: Sequence[ColumnFilter] = ()
) -> pd.DataFrame:
    """The watchlist narrowed and ordered as a grid asks (riskiest first without a sort)."""
    return sort_frame(filter_frame(listed, filters), sort, tie="customer")


def watched_rows(
    *,
    actor: Actor,
    severity: str | None,
    rule_id: int | None,
    now: datetime,
    offset: int,
    limit: int,
    sort: Sequence[SortKey] = (),
    filters: Sequence[ColumnFilter] = (),
) -> tuple[pd.DataFrame, int]:
    """One page of the watchlist as a grid (or the API) asks for it, and how many loans it
    holds: in its own order for every rule, from the kept order (`watched_page`); with a
    sort, a column filter or one rule, from the whole list."""
    if rule_id is None and not sort and not any(f.conditions for f in filters):
        paged = watched_page(actor=actor, severity=severity, now=now, offset=offset, limit=limit)
        if paged is not None:
            return paged
    listed = graded(
        watched_loans(actor=actor, severity=severity, rule_id=rule_id, now=now), sort, filters
    )
    return listed.iloc[offset : offset + limit], len(listed)
