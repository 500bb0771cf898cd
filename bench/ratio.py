"""How close each page's main callback comes to its own SQL: `python -m bench.ratio`.

    python -m bench.ratio --database-url postgresql://... --scale large
    python -m bench.ratio --scale medium                   # SQLite file under bench/.data

For each page's main callback (the scenarios of `bench.run`), with the app's cache flushed:
0. run the scheduled refresh, as a deployment does (it keeps the tables the pages read);
1. record every SQL statement the callback issues, with its parameters, on one cold call
   (the sign-in's own reads included: they are part of what the request costs);
2. then alternate, `--runs` times in one run, the callback (cache flushed before each) and
   exactly those statements run directly with the database driver on one open connection
   (psycopg or sqlite3: execute, then fetchall), with the app's session settings.

It reports the median cold callback, the median of its SQL and their ratio: everything above
1 is Python (Dash, pandas, plotly, the cache, the pool). Results go to
bench/results/ratio-<backend>-<scale>.json and .md. The data is generated and the models
trained on first use, as `bench.run` does (it shares its database files).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.callbacks import payload
from bench.run import (
    HERE,
    SCALE_CHOICES,
    machine,
    measure_refresh,
    open_bench,
    signed_in_client,
)

Statement = tuple[str, Any]


def recorded_statements(engine: Any, call: Callable[[], Any]) -> tuple[list[Statement], int]:
    """Every statement (text and driver-ready parameters) the engine runs during `call`, and
    how many times a connection was taken from the pool."""
    from sqlalchemy import event

    seen: list[Statement] = []
    checkouts = [0]

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    def checkout(*_: Any) -> None:
        checkouts[0] += 1

    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine.pool, "checkout", checkout)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine.pool, "checkout", checkout)
    return seen, checkouts[0]


def raw_runner(url: str) -> tuple[Callable[[list[Statement]], None], Callable[[], None]]:
    """(run these statements and fetch every row, close): straight through the driver."""
    if url.startswith("postgresql"):
        import psycopg
        from sqlalchemy.engine import make_url

        from data.engine import postgres_session_options
        from settings import get_settings

        made = make_url(url)
        conn: Any = psycopg.connect(
            host=made.host,
            port=made.port,
            user=made.username,
            password=made.password,
            dbname=made.database,
            autocommit=True,
            options=postgres_session_options(get_settings().statement_timeout_ms),
        )
    else:  # as the app's connections are made (data/engine.py): it begins its own reads
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "busy_timeout=30000"):
            conn.execute(f"PRAGMA {pragma}")
    sqlite = not url.startswith("postgresql")
    none = () if sqlite else None  # what each driver takes for no values

    def run(statements: list[Statement]) -> None:
        cursor = conn.cursor()
        for statement, parameters in statements:
            if sqlite and statement.startswith("BEGIN") and conn.in_transaction:
                conn.rollback()  # the app's connection went back to its pool in between
            cursor.execute(statement, parameters or none)
            if cursor.description is not None:
                cursor.fetchall()
        cursor.close()
        if sqlite and conn.in_transaction:
            # The pages' main callbacks only read. A callback that wrote would be measured
            # without its commit here, where PostgreSQL's autocommit commits each write.
            conn.rollback()

    return run, conn.close


def measure(client: Any, url: str, runs: int, pages: str) -> list[dict[str, Any]]:
    from bench.scenarios import SCENARIOS
    from data import cache
    from data.engine import get_engine

    callbacks = client.get("/_dash-dependencies").get_json()
    run_raw, close = raw_runner(url)
    rows = []
    try:
        for scenario in [s for s in SCENARIOS if pages.lower() in s.page.lower()]:
            callback = next(c for c in callbacks if scenario.output in c["output"])
            body = payload(callback, scenario)

            def call(body: dict[str, Any] = body, page: str = scenario.page) -> None:
                answer = client.post("/_dash-update-component", json=body)
                assert answer.status_code == 200, (page, answer.status_code)

            cache.backend().clear()
            call()  # a first cold call: connections, imports and plans are made
            cache.backend().clear()
            statements, checkouts = recorded_statements(get_engine(), call)
            run_raw(statements)
            cold, sql = [], []
            for _ in range(runs):
                cache.backend().clear()
                started = time.perf_counter()
                call()
                cold.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                run_raw(statements)
                sql.append((time.perf_counter() - started) * 1000)
            row: dict[str, Any] = {
                "page": scenario.page,
                "statements": len(statements),
                "checkouts": checkouts,
                "cold_ms": round(statistics.median(cold), 1),
                "sql_ms": round(statistics.median(sql), 1),
            }
            row["ratio"] = round(row["cold_ms"] / max(row["sql_ms"], 0.01), 1)
            print(f"  {row}", flush=True)
            rows.append(row)
    finally:
        close()
    return rows


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"# Callback against its own SQL: {results['backend']}, {results['scale']}",
        "",
        f"{results['finished_at']} · {m['cpus']} CPUs · load (1 min) {results['load'][0]:.2f} "
        f"before, {results['load'][1]:.2f} after · "
        f"{results['runs']} alternations per callback, medians, cache flushed before each call",
        "",
        "| callback | statements | connections | cold ms | its SQL ms | ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results["rows"]:
        lines.append(
            f"| {r['page']} | {r['statements']} | {r['checkouts']} | {r['cold_ms']:.1f} "
            f"| {r['sql_ms']:.1f} "
            f"| {r['ratio']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--scale", default="large", choices=SCALE_CHOICES)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pages", default="", help="only the scenarios whose name has this")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    url, backend, _ = open_bench(args.database_url, args.scale, "Callback against its SQL")
    client = signed_in_client()
    print(f"  scheduled refresh first (it keeps the tables pages read): {measure_refresh()} s")
    load_before = os.getloadavg()[0]
    results: dict[str, Any] = {
        "backend": backend,
        "scale": args.scale,
        "runs": args.runs,
        "machine": machine(),
        "rows": measure(client, url, args.runs, args.pages),
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    results["load"] = [load_before, os.getloadavg()[0]]
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"ratio-{backend}-{args.scale}"
    (args.out / f"{stem}.json").write_text(json.dumps(results, indent=2))
    table = markdown(results)
    (args.out / f"{stem}.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
