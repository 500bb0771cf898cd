"""Per-user settings (theme, PE dashboard), stored as JSON text; the caller validates them."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from data.models import UserPreference
from data.models.base import utcnow


def read_preference(*, conn: Connection, user_id: int, name: str) -> Any | None:
    """The stored value, or None when the user never saved one or it is not JSON at all."""
    text = conn.execute(
        select(UserPreference.value).where(
            UserPreference.user_id == user_id, UserPreference.name == name
        )
    ).scalar_one_or_none()
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def save_preference(*, conn: Connection, user_id: int, name: str, value: Any) -> None:
    """Insert or replace one setting (an upsert, so two tabs saving at once cannot collide)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    row = {"user_id": user_id, "name": name, "value": json.dumps(value), "updated_at": utcnow()}
    statement = dialect.insert(UserPreference).values(**row)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "name"],
            set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
        )
    )
