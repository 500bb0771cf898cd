"""Scored applications of the pricing window, summed per score and band.

The scheduled refresh keeps the sums per region for the day it runs (`score_sums`), and
the pricing page reads those: a few thousand rows instead of a year of applications joined
to their scores. Asked for another day or model, the sums are computed live. An application
the app scores itself recounts its region's kept sums in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Date, Integer, Select, func, literal, select

from data.cache import cached
from data.models import CreditApplication, CreditCustomer, CreditScore, ScoreSum
from data.queries.sql import in_regions, kept_for, read_frame, replace_rows

WINDOW_DAYS = 365  # days counted, the day the window ends on included
SUMS = ("applications", "amount", "pd_sum", "pd_amount")


def window_start(day: date) -> datetime:
    """The start of the pricing window that ends on `day`: UTC midnight of the first of its
    WINDOW_DAYS days, `day` being the last."""
    return datetime.combine(day, time(), tzinfo=UTC) - timedelta(days=WINDOW_DAYS - 1)


def _live(
    model_id: int, since: datetime, *, region_ids: Sequence[int] | None, per_region: bool
) -> Select:
    keys: list[Any] = [CreditCustomer.region_id] if per_region else []
    keys += [CreditScore.score, CreditScore.band]
    stmt = (
        select(
            *keys,
            func.count().label("applications"),
            func.sum(CreditApplication.amount).label("amount"),
            func.sum(CreditScore.pd).label("pd_sum"),
            func.sum(CreditScore.pd * CreditApplication.amount).label("pd_amount"),
        )
        .select_from(CreditApplication)
        .join(CreditScore, CreditScore.application_id == CreditApplication.id)
        .where(CreditScore.model_version_id == model_id, CreditApplication.applied_at >= since)
        .group_by(*keys)
    )
    if per_region or region_ids is not None:  # the customers' regions, only when needed
        stmt = stmt.join(CreditCustomer, CreditCustomer.id == CreditApplication.customer_id)
    return in_regions(stmt, CreditCustomer.region_id, region_ids)


@cached("credit")
def score_sums(
    *, conn: Connection, model_id: int, region_ids: Sequence[int] | None, since: datetime
) -> pd.DataFrame:
    """Scored applications since a moment, summed per score and band (for pricing and the
    cut-off what-if). Columns: score, band, applications, amount, pd_sum, pd_amount."""
    day = (since + timedelta(days=WINDOW_DAYS - 1)).date()
    if window_start(day) == since and kept_for(
        conn, ScoreSum.day, ScoreSum.model_version_id, on=day, model_id=model_id
    ):
        stmt = (
            select(
                ScoreSum.score,
                ScoreSum.band,
                *(func.sum(getattr(ScoreSum, s)).label(s) for s in SUMS),
            )
            .where(ScoreSum.model_version_id == model_id)
            .group_by(ScoreSum.score, ScoreSum.band)
        )
        return read_frame(conn, in_regions(stmt, ScoreSum.region_id, region_ids))
    return read_frame(conn, _live(model_id, since, region_ids=region_ids, per_region=False))


def keep_score_sums(
    *, conn: Connection, model_id: int, day: date, region_ids: Sequence[int] | None = None
) -> int:
    """Sum the window ending on `day` per region, score and band under the model, replacing
    every kept sum (or, with `region_ids`, those regions' sums); the rows kept."""
    live = _live(model_id, window_start(day), region_ids=region_ids, per_region=True).subquery()
    counted = select(
        literal(model_id, Integer).label("model_version_id"),
        literal(day, Date).label("day"),
        *live.c,
    )
    stale = [] if region_ids is None else [ScoreSum.region_id.in_(list(region_ids))]
    replace_rows(conn, ScoreSum, counted, *stale)
    return int(conn.execute(select(func.count()).select_from(ScoreSum)).scalar_one())


def follow_applications(
    *, conn: Connection, model_id: int, customer_ids: Sequence[int], day: date
) -> None:
    """After the app scored applications on `day`: recount their regions' kept sums, when
    the kept sums are of that day and model."""
    if kept_for(conn, ScoreSum.day, ScoreSum.model_version_id, on=day, model_id=model_id):
        regions = (
            select(CreditCustomer.region_id)
            .where(CreditCustomer.id.in_(list(customer_ids)))
            .distinct()
        )
        keep_score_sums(
            conn=conn, model_id=model_id, day=day, region_ids=list(conn.execute(regions).scalars())
        )
