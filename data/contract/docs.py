"""The data contract for people: a Markdown page and, per entity, CSV and XLSX templates
with the header and one example row. Generated from the schemas, never written by hand
(`python -m beacon contract`; a test checks docs/data-contract.md is current)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd

from data.contract.columns import KINDS, Entity
from data.contract.entities import ENTITIES

TITLE = "# Beacon data contract"


def _rules(entity: Entity, name: str) -> str:
    column = entity.columns[name]
    parts = []
    for check in column.checks:
        stats = check.statistics or {}
        if check.name == "isin":
            parts.append("one of " + ", ".join(f"`{v}`" for v in stats["allowed_values"]))
        elif check.name == "in_range":
            parts.append(f"{stats['min_value']:g} to {stats['max_value']:g}")
        elif check.name == "greater_than_or_equal_to":
            parts.append(f"at least {stats['min_value']:g}")
        elif check.name == "less_than_or_equal_to":
            parts.append(f"at most {stats['max_value']:g}")
        elif check.name == "str_length":
            parts.append(f"at most {stats['max_value']} characters")
        elif check.name == "not_in_future":
            parts.append("not in the future")
    target = column.metadata.get("refers_to")
    if target == "users":
        parts.append("the e-mail of a Beacon user")
    elif target:
        parts.append(f"an `external_id` of [{target}](#{target})")
    return "; ".join(parts)


def _example(entity: Entity, name: str) -> str:
    value = entity.columns[name].metadata.get("example")
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def markdown() -> str:
    lines = [
        TITLE,
        "",
        "Generated from `data/contract` by `python -m beacon contract`; do not edit by hand.",
        "",
        "Bring your data as one file per entity, named after it (`tutors.csv`, "
        "`tutoring_sessions.parquet`, `pe_classes.xlsx` ...). CSV (any common delimiter and "
        "encoding; a short Central or Eastern European Windows file may need its encoding "
        "named, e.g. `--encoding cp1250`), Parquet and XLSX (first sheet, values not formulas) "
        "are read. The header "
        "holds the column names below; optional columns may be left out.",
        "",
        "- Every record carries `external_id`, its id in your own system. Loading the same "
        "file again changes nothing; a corrected row updates its record; new rows are added.",
        "- References name the other record's `external_id`, from the same load or loaded before.",
        "- What Beacon keeps unique (a tutor's e-mail, a region's or a product's code, one loan "
        "per application) is checked against the file and against what Beacon holds, and so are "
        "sessions: no two of one host or one room at once (cancelled ones aside), the room in the "
        "session's region, no tutor hosting after the day they left; a loan is paid out on an "
        "approved application of its customer, on or after the day it was applied for. Each "
        "clash is a row problem.",
        "- A record others still refer to (a tutor with sessions) is deleted after them: send "
        "their deletions in the same load or an earlier one.",
        "- To remove a record, send its key with `deleted` set to `true`. Nothing is removed "
        "because a row is missing from a file.",
        "- The models learn from your history: tutor risk needs at least 164 days of tutoring "
        "sessions, with at least 5 tutors who left; the credit scorecard needs at least 20 "
        "defaulted loans and 20 good ones (repaid, or active 365 days with no default). Until "
        "then `python -m beacon train` names what is missing, and the pages say no model is "
        "trained yet.",
        "- Load with `python -m beacon load PATH`, or on the admin page Data import. "
        "Templates: [templates/](templates/) (CSV and XLSX, a header and one example row).",
        "",
        "Files are written in this order:",
        "",
    ]
    lines += [f"{i}. [{e.name}](#{e.name})" for i, e in enumerate(ENTITIES, start=1)]
    for entity in ENTITIES:
        lines += [
            "",
            f"## {entity.name}",
            "",
            entity.meaning,
            "",
            f"Matched on: {' + '.join(f'`{k}`' for k in entity.key)}.",
            "",
            "| column | type | required | rules | meaning | example |",
            "|---|---|---|---|---|---|",
        ]
        for name, column in entity.columns.items():
            meaning = str(column.description or "").replace("|", "\\|")
            lines.append(
                f"| `{name}` | {KINDS[entity.kind(name)]} | "
                f"{'yes' if column.required else 'no'} | {_rules(entity, name)} | {meaning} | "
                f"{_example(entity, name)} |"
            )
        rules = [c.error for c in entity.schema.checks if c.error]
        if rules:
            lines += ["", "A row is refused when: " + "; ".join(rules) + "."]
    return "\n".join(lines) + "\n"


def template_frame(entity: Entity) -> pd.DataFrame:
    row: dict[str, Any] = {n: _example(entity, n) for n in entity.columns if n != "deleted"}
    return pd.DataFrame([row])


def template(entity: Entity, file_format: str) -> bytes:
    frame = template_frame(entity)
    if file_format == "csv":
        return frame.to_csv(index=False).encode("utf-8")
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name=entity.name[:31])
    return buffer.getvalue()


def write_docs(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "data-contract.md"]
    written[0].write_text(markdown(), encoding="utf-8")
    templates = folder / "templates"
    templates.mkdir(exist_ok=True)
    for entity in ENTITIES:
        for file_format in ("csv", "xlsx"):
            path = templates / f"{entity.name}.{file_format}"
            path.write_bytes(template(entity, file_format))
            written.append(path)
    return written
