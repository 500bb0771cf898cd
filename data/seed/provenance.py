"""Which generator made the demo data in a database: its scale, seed and as-of day, kept in
the instance folder when the demo is seeded (`ensure_demo_data`, `beacon seed`). The tutor
risk job reads it to set its model against the generator's limits (demo data only)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import Engine

from settings import get_settings

RECORD = "demo-seed.json"


def _database(engine: Engine) -> str:
    url = engine.url.render_as_string(hide_password=True)
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def remember(engine: Engine, *, scale: str, seed: int, as_of: date) -> None:
    path = get_settings().instance_dir / RECORD
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"database": _database(engine), "scale": scale, "seed": seed, "as_of": str(as_of)}
    path.write_text(json.dumps(record) + "\n")


def recall(engine: Engine) -> dict[str, Any] | None:
    """The generator's scale, seed and as-of (a date) of this database's demo data; None when
    its data was not seeded as a demo (or the record is for another database)."""
    path = get_settings().instance_dir / RECORD
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("database") != _database(engine):
        return None
    try:
        return {
            "scale": str(record["scale"]),
            "seed": int(record["seed"]),
            "as_of": date.fromisoformat(str(record["as_of"])),
        }
    except (KeyError, TypeError, ValueError):
        return None
