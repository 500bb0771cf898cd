"""PostgreSQL beside SQLite from the latest results: `python -m bench.compare`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def _load(backend: str, scale: str) -> dict[str, Any]:
    return json.loads((RESULTS / f"{backend}-{scale}.json").read_text())


def table(scale: str = "large") -> str:
    pg, lite = _load("postgresql", scale), _load("sqlite", scale)
    lines = [
        "| callback | PostgreSQL cold p50 / p95 | PostgreSQL warm p95 "
        "| SQLite cold p50 / p95 | SQLite warm p95 |",
        "|---|---:|---:|---:|---:|",
    ]
    sqlite = {c["page"]: c for c in lite["callbacks"]}
    for c in pg["callbacks"]:
        s = sqlite.get(c["page"])
        other = (
            f"{s['cold_p50_ms']:,.0f} / {s['cold_p95_ms']:,.0f} | {s['warm_p95_ms']:,.0f}"
            if s
            else "– | –"
        )
        lines.append(
            f"| {c['page']} | {c['cold_p50_ms']:,.0f} / {c['cold_p95_ms']:,.0f} "
            f"| {c['warm_p95_ms']:,.0f} | {other} |"
        )
    lines += [
        "",
        "| first load in Chromium | PostgreSQL drawn cold / warm | SQLite drawn cold / warm "
        "| Dash JSON | rows in the browser |",
        "|---|---:|---:|---:|---:|",
    ]
    lite_loads = {f["page"]: f for f in lite.get("first_loads", [])}
    for f in pg.get("first_loads", []):
        s = lite_loads.get(f["page"], {})
        lines.append(
            f"| {f['page']} | {f['cold_drawn_ms']:,} / {f['warm_drawn_ms']:,} ms "
            f"| {s.get('cold_drawn_ms', 0):,} / {s.get('warm_drawn_ms', 0):,} ms "
            f"| {f['json_bytes'] / 1000:,.0f} KB | {f['table_rows']:,} |"
        )
    lines += ["", "| measure | PostgreSQL | SQLite |", "|---|---:|---:|"]
    if "first_visit" in pg and "first_visit" in lite:
        lines.append(
            f"| first visit ever ({pg['first_visit']['page']}, empty browser cache), drawn "
            f"| {pg['first_visit']['drawn_ms']:,} ms | {lite['first_visit']['drawn_ms']:,} ms |"
        )
    for label, key, unit in (
        ("scheduled refresh", "refresh_s", "s"),
        ("score 100,000 applications", "score_100k_s", "s"),
        ("bench process after all of it", "rss_mb", "MB"),
    ):
        lines.append(f"| {label} | {pg[key]} {unit} | {lite[key]} {unit} |")
    for label, key, unit in (
        ("10 users: p50", "p50_ms", "ms"),
        ("10 users: p95", "p95_ms", "ms"),
        ("10 users: requests in 60 s", "requests", ""),
        ("10 users: errors", "errors", ""),
        ("10 users: largest gunicorn worker", "peak_worker_mb", "MB"),
    ):
        lines.append(
            f"| {label} | {pg['concurrent'][key]:,} {unit} | {lite['concurrent'][key]:,} {unit} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(table(sys.argv[1] if len(sys.argv) > 1 else "large"), end="")
