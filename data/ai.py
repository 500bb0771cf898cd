"""The AI call log: one row a call, for the admins' usage page."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, func, insert, select

from data.models import AICall, User
from data.queries.sql import read_frame


def record_call(
    *,
    conn: Connection,
    user_id: int | None,
    feature: str,
    model: str,
    outcome: str,
    prompt_tokens: int,
    completion_tokens: int,
    latency_ms: int,
    now: datetime,
) -> None:
    conn.execute(
        insert(AICall).values(
            user_id=user_id,
            feature=feature[:40],
            model=model[:80],
            outcome=outcome,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            latency_ms=latency_ms,
            created_at=now,
        )
    )


def recent_calls(*, conn: Connection, limit: int = 50) -> pd.DataFrame:
    """Newest first. Columns: created_at, user (display name or None), feature, model,
    outcome, prompt_tokens, completion_tokens, latency_ms."""
    stmt = (
        select(
            AICall.created_at,
            User.display_name.label("user"),
            AICall.feature,
            AICall.model,
            AICall.outcome,
            AICall.prompt_tokens,
            AICall.completion_tokens,
            AICall.latency_ms,
        )
        .outerjoin(User, User.id == AICall.user_id)
        .order_by(AICall.created_at.desc(), AICall.id.desc())
        .limit(limit)
    )
    return read_frame(conn, stmt, dates=["created_at"])


def usage_by_feature(*, conn: Connection, since: datetime) -> pd.DataFrame:
    """Per feature since a moment. Columns: feature, calls, failed, prompt_tokens,
    completion_tokens."""
    failed = func.sum(func.cast(AICall.outcome != "ok", AICall.prompt_tokens.type))
    stmt = (
        select(
            AICall.feature,
            func.count().label("calls"),
            failed.label("failed"),
            func.coalesce(func.sum(AICall.prompt_tokens), 0).label("prompt_tokens"),
            func.coalesce(func.sum(AICall.completion_tokens), 0).label("completion_tokens"),
        )
        .where(AICall.created_at >= since)
        .group_by(AICall.feature)
        .order_by(AICall.feature)
    )
    return read_frame(conn, stmt)
