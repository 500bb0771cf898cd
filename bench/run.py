"""Measure Beacon at scale and write the results table: `python -m bench.run`.

    python -m bench.run                                  # SQLite file under bench/.data
    python -m bench.run --database-url postgresql://...  # PostgreSQL (an empty database)

The first run generates the demo data at `--scale` (large: 5,000 tutors, about 1 M tutoring
sessions, 100,000 credit applications) and trains both models; later runs reuse them. Then
it measures, in this process, through the real app (Flask test client, signed in):
each page's main filter callback with a cold and a warm cache (p50, p95, answer size, the
largest figure), scoring 100,000 applications, a scheduled refresh, and this process's
memory. Results go to bench/results/<backend>.json and .md, each target met or missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.accounts import bench_account, sign_in
from bench.callbacks import payload
from bench.load import percentile

HERE = Path(__file__).resolve().parent


def _environment(database_url: str, backend: str) -> None:
    """Point the app at the benchmark database before anything reads the settings."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(32))
    os.environ["BEACON_INSTANCE_DIR"] = str(HERE / ".data" / f"instance-{backend}")
    os.environ["BEACON_SCHEDULER"] = "off"
    os.environ["BEACON_DEMO"] = "false"
    os.environ.setdefault("BEACON_PUBLIC_URL", "http://127.0.0.1:8050")
    os.environ.pop("OPENAI_API_KEY", None)


SCALE_CHOICES = ("small", "medium", "large", "xlarge")


def open_bench(database_url: str | None, scale: str, title: str) -> tuple[str, str, dict]:
    """(database URL, backend, preparation log): the environment set, the data generated and
    the models trained on first use (SQLite under bench/.data without a URL)."""
    url = database_url or f"sqlite:///{HERE / '.data' / f'beacon-{scale}.db'}"
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    (HERE / ".data").mkdir(exist_ok=True)
    _environment(url, backend)
    print(f"{title} on {backend}, scale {scale}", flush=True)
    return url, backend, prepare(scale)


def signed_in_client() -> Any:
    """The real app's test client, signed in as the benchmark's admin."""
    import app as beacon

    client = beacon.server.test_client()
    email = "bench-admin@beacon.bench"
    sign_in(client, email, bench_account(email))
    return client


def _timed(step: str, func: Any, log: dict[str, float]) -> Any:
    started = time.perf_counter()
    result = func()
    log[step] = round(time.perf_counter() - started, 2)
    print(f"  {step}: {log[step]} s", flush=True)
    return result


def prepare(scale: str) -> dict[str, float]:
    """Migrate; seed and train once (reused by later runs)."""
    from sqlalchemy import func, select

    from data.engine import connect, get_engine
    from data.migrate import upgrade_head
    from data.models import TutoringSession
    from data.seed import seed_database
    from jobs import credit_scoring, tutor_risk

    log: dict[str, float] = {}
    _timed("migrate", upgrade_head, log)
    with connect() as conn:
        sessions = conn.execute(select(func.count()).select_from(TutoringSession)).scalar_one()
    if not sessions:
        _timed(
            f"seed {scale}",
            lambda: seed_database(get_engine(), scale=scale, seed=7, as_of=date.today()),
            log,
        )
        _timed("train and score tutors", tutor_risk.run, log)
        _timed("train and score credit", credit_scoring.run, log)
    return log


def _largest_figure(node: Any) -> int:
    if isinstance(node, dict):
        here = len(json.dumps(node["figure"])) if isinstance(node.get("figure"), dict) else 0
        return max([here, *(_largest_figure(v) for v in node.values())])
    if isinstance(node, list):
        return max([0, *(_largest_figure(v) for v in node)])
    return 0


def measure_callbacks(client: Any, runs: int, pages: str = "") -> list[dict[str, Any]]:
    from bench.scenarios import SCENARIOS
    from data import cache

    callbacks = client.get("/_dash-dependencies").get_json()
    results = []
    for scenario in [s for s in SCENARIOS if pages.lower() in s.page.lower()]:
        callback = next(c for c in callbacks if scenario.output in c["output"])
        body = payload(callback, scenario)
        timings: dict[str, list[float]] = {"cold": [], "warm": []}
        size = figure = 0
        for kind in ("cold", "warm"):
            for _ in range(runs):
                if kind == "cold":
                    cache.backend().clear()
                started = time.perf_counter()
                answer = client.post("/_dash-update-component", json=body)
                timings[kind].append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, (scenario.page, answer.status_code)
                size = len(answer.get_data())
                figure = _largest_figure(answer.get_json())
        row = {"page": scenario.page, "bytes": size, "largest_figure_bytes": figure}
        for kind, values in timings.items():
            row[f"{kind}_p50_ms"] = round(statistics.median(values), 1)
            row[f"{kind}_p95_ms"] = round(percentile(values, 0.95), 1)
        print(f"  {scenario.page}: {row}", flush=True)
        results.append(row)
    return results


def measure_scoring(count: int = 100_000) -> float:
    import pandas as pd

    from analytics.card import assess_with
    from analytics.credit_features import credit_features
    from data import credit
    from data.engine import connect

    with connect() as conn:
        model = credit.active_model(conn=conn)
        applications = credit.applications_with_outcomes(conn=conn)
    features = credit_features(applications)
    repeats = -(-count // max(len(features), 1))
    X = pd.concat([features] * repeats, ignore_index=True).head(count)
    seconds = []
    for _ in range(3):  # the median of three: one run on a shared machine is noisy
        started = time.perf_counter()
        assess_with(model["metrics"]["card"], X)
        seconds.append(time.perf_counter() - started)
    return round(statistics.median(seconds), 2)


def measure_refresh() -> float:
    from jobs import refresh

    started = time.perf_counter()
    refresh.run(job="refresh", trigger="manual")
    return round(time.perf_counter() - started, 2)


def served_measurements(seconds: float) -> dict[str, Any]:
    """First loads in Chromium and concurrent users, against gunicorn on this database."""
    from bench import targets as t
    from bench.browser import first_loads
    from bench.load import concurrent_users
    from bench.scenarios import FIRST_LOADS
    from bench.served import gunicorn
    from data import cache

    users = [f"bench-user-{n}@beacon.bench" for n in range(1, t.CONCURRENT_USERS + 1)]
    accounts = [(email, bench_account(email)) for email in users]
    with gunicorn(t.WEB_WORKERS, HERE / ".data" / "gunicorn.log") as served:
        first, loads = first_loads(served.url, *accounts[0], FIRST_LOADS, cache.backend().clear)
        cache.backend().clear()
        concurrent = concurrent_users(served.url, accounts, seconds, served.worker_rss_mb)
        concurrent["workers"] = t.WEB_WORKERS
        print(f"  concurrent users: {concurrent}", flush=True)
    return {"first_visit": first, "first_loads": loads, "concurrent": concurrent}


def machine() -> dict[str, Any]:
    import psutil

    return {
        "python": platform.python_version(),
        "system": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }


def _check(name: str, limit: float, value: float, unit: str) -> tuple[str, str, str, bool]:
    return (name, f"{limit:,} {unit}".strip(), f"{value:,} {unit}".strip(), value <= limit)


def verdicts(results: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(target, limit, measured, met) for every target measured here."""
    from bench import targets as t

    rows = []
    for c in results["callbacks"]:
        page = c["page"]
        rows += [
            _check(f"{page}: cold p50", t.CALLBACK_COLD_P50_MS, c["cold_p50_ms"], "ms"),
            _check(f"{page}: cold p95", t.CALLBACK_COLD_P95_MS, c["cold_p95_ms"], "ms"),
            _check(f"{page}: warm p95", t.CALLBACK_WARM_P95_MS, c["warm_p95_ms"], "ms"),
            _check(f"{page}: answer size", t.RESPONSE_MAX_BYTES, c["bytes"], "B"),
            _check(f"{page}: largest figure", t.FIGURE_MAX_BYTES, c["largest_figure_bytes"], "B"),
        ]
    if "first_visit" in results:
        v = results["first_visit"]
        rows.append(
            _check(
                f"first visit ever ({v['page']}, empty browser cache): drawn",
                t.FIRST_DRAWN_MS,
                v["drawn_ms"],
                "ms",
            )
        )
    for f in results.get("first_loads", []):
        page = f"first load, {f['page']}"
        rows += [
            _check(f"{page}: drawn, cold cache", t.FIRST_DRAWN_MS, f["cold_drawn_ms"], "ms"),
            _check(f"{page}: drawn, warm cache", t.FIRST_DRAWN_MS, f["warm_drawn_ms"], "ms"),
            _check(f"{page}: initial JSON", t.INITIAL_JSON_MAX_BYTES, f["json_bytes"], "B"),
            _check(f"{page}: rows in the browser", t.TABLE_MAX_ROWS, f["table_rows"], "rows"),
        ]
    if "concurrent" in results:
        c = results["concurrent"]
        users = f"{c['users']} users on {c['workers']} gunicorn workers"
        rows += [
            _check(
                f"{users}: p95 ({c['requests']:,} requests)", t.CONCURRENT_P95_MS, c["p95_ms"], "ms"
            ),
            _check(f"{users}: errors", 0, c["errors"], ""),
            _check(f"{users}: largest worker", t.WORKER_MAX_MB, c["peak_worker_mb"], "MB"),
        ]
    rows += [
        _check("scheduled refresh", t.REFRESH_MAX_S, results["refresh_s"], "s"),
        _check("score 100,000 applications", t.SCORE_100K_MAX_S, results["score_100k_s"], "s"),
        _check("this process after all of it", t.WORKER_MAX_MB, results["rss_mb"], "MB"),
    ]
    return rows


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"# Beacon benchmark: {results['backend']}, scale {results['scale']}",
        "",
        f"{results['finished_at']} · {m['cpus']} CPUs, {m['memory_gb']} GB, Python "
        f"{m['python']}, {m['system']} · {results['runs']} runs per callback and cache state",
        "",
        "| target | limit | measured | met |",
        "|---|---:|---:|:---:|",
    ]
    for name, limit, measured, met in verdicts(results):
        lines.append(f"| {name} | {limit} | {measured} | {'yes' if met else '**no**'} |")
    lines += [
        "",
        "Preparation (first run only): "
        + ", ".join(f"{k} {v} s" for k, v in results["prepare"].items()),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--scale", default="large", choices=SCALE_CHOICES)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--pages", default="", help="only the scenarios whose name has this")
    parser.add_argument("--seconds", type=float, default=60, help="of concurrent clicking")
    parser.add_argument("--prepare-only", action="store_true", help="generate the data and stop")
    parser.add_argument(
        "--in-process-only", action="store_true", help="skip Chromium and concurrent users"
    )
    args = parser.parse_args(argv)
    _, backend, prepared = open_bench(args.database_url, args.scale, "Beacon benchmark")
    if args.prepare_only:
        return 0

    import psutil

    client = signed_in_client()
    results: dict[str, Any] = {
        "backend": backend,
        "scale": args.scale,
        "runs": args.runs,
        "machine": machine(),
        "prepare": prepared,
        # The scheduled refresh first, as a deployment runs it: it keeps the pre-aggregated
        # reports the pages read (the cache it warms is flushed for the cold runs).
        "refresh_s": measure_refresh(),
        "callbacks": measure_callbacks(client, args.runs, args.pages),
        "score_100k_s": measure_scoring(),
    }
    results["rss_mb"] = round(psutil.Process().memory_info().rss / 2**20)
    if not args.in_process_only:
        results.update(served_measurements(args.seconds))
    results["finished_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{backend}-{args.scale}.json").write_text(json.dumps(results, indent=2))
    table = markdown(results)
    (args.out / f"{backend}-{args.scale}.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
