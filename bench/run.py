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
import re
import secrets
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _environment(database_url: str, backend: str) -> None:
    """Point the app at the benchmark database before anything reads the settings."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(32))
    os.environ["BEACON_INSTANCE_DIR"] = str(HERE / ".data" / f"instance-{backend}")
    os.environ["BEACON_SCHEDULER"] = "off"
    os.environ["BEACON_DEMO"] = "false"
    os.environ.pop("OPENAI_API_KEY", None)


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


def sign_in(client: Any) -> None:
    from auth.passwords import hash_password
    from data import accounts
    from data.engine import transaction

    email, password = "bench-admin@beacon.bench", "bench " + secrets.token_urlsafe(16)
    with transaction() as conn:
        found = accounts.account_by_email(conn=conn, email=email)
        if found is None:
            accounts.create_account(
                conn=conn,
                email=email,
                display_name="Bench admin",
                role="admin",
                region_ids=(),
                password_hash=hash_password(password),
            )
        else:
            accounts.set_password(
                conn=conn,
                user_id=found.id,
                password_hash=hash_password(password),
                now=datetime.now(UTC),
            )
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no sign-in form"
    answer = client.post(
        "/login", data={"csrf_token": token.group(1), "email": email, "password": password}
    )
    assert answer.status_code == 302, f"sign-in failed: {answer.status_code}"


def _concrete(item: Any, wildcard: dict[str, Any]) -> Any:
    made = json.loads(item) if isinstance(item, str) and item.startswith("{") else item
    if isinstance(made, dict):
        return {k: (wildcard.get(k, "x") if isinstance(v, list) else v) for k, v in made.items()}
    return made


def payload(callback: dict[str, Any], scenario: Any) -> dict[str, Any]:
    """The request body the browser sends for this callback with the scenario's values."""

    def entry(item: dict[str, Any]) -> dict[str, Any]:
        made = _concrete(item["id"], scenario.wildcard)
        key = made if isinstance(made, str) else None
        value = scenario.values.get(key) if key else scenario.wildcard.get(item["property"])
        if isinstance(made, dict) and made.get("type") == "home-area":
            value = scenario.wildcard["area"]
        return {"id": made, "property": item["property"], "value": value}

    output = callback["output"]
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    outputs = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        outputs.append({"id": _concrete(component, scenario.wildcard), "property": prop})
    inputs = [entry(i) for i in callback["inputs"]]
    first = inputs[0]["id"]
    changed = (
        json.dumps(first, sort_keys=True, separators=(",", ":"))
        if isinstance(first, dict)
        else first
    )
    return {
        "output": output,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": [entry(s) for s in callback.get("state", [])],
        "changedPropIds": [f"{changed}.{callback['inputs'][0]['property']}"],
    }


def _largest_figure(node: Any) -> int:
    if isinstance(node, dict):
        here = len(json.dumps(node["figure"])) if isinstance(node.get("figure"), dict) else 0
        return max([here, *(_largest_figure(v) for v in node.values())])
    if isinstance(node, list):
        return max([0, *(_largest_figure(v) for v in node)])
    return 0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


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
            row[f"{kind}_p95_ms"] = round(_percentile(values, 0.95), 1)
        print(f"  {scenario.page}: {row}", flush=True)
        results.append(row)
    return results


def measure_scoring(count: int = 100_000) -> float:
    import pandas as pd

    from analytics.credit_features import credit_features
    from analytics.scorecard import assess_with
    from data import credit
    from data.engine import connect

    with connect() as conn:
        model = credit.active_model(conn=conn)
        applications = credit.applications_with_outcomes(conn=conn)
    features = credit_features(applications)
    repeats = -(-count // max(len(features), 1))
    X = pd.concat([features] * repeats, ignore_index=True).head(count)
    started = time.perf_counter()
    assess_with(model["metrics"]["card"], X)
    return round(time.perf_counter() - started, 2)


def measure_refresh() -> float:
    from jobs import refresh

    started = time.perf_counter()
    refresh.run(job="refresh", trigger="manual")
    return round(time.perf_counter() - started, 2)


def machine() -> dict[str, Any]:
    import psutil

    return {
        "python": platform.python_version(),
        "system": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }


def verdicts(results: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(target, limit, measured, met) for every target measured here."""
    from bench import targets as t

    rows = []
    for c in results["callbacks"]:
        rows += [
            (
                f"{c['page']}: cold p50",
                f"{t.CALLBACK_COLD_P50_MS} ms",
                f"{c['cold_p50_ms']} ms",
                c["cold_p50_ms"] <= t.CALLBACK_COLD_P50_MS,
            ),
            (
                f"{c['page']}: cold p95",
                f"{t.CALLBACK_COLD_P95_MS} ms",
                f"{c['cold_p95_ms']} ms",
                c["cold_p95_ms"] <= t.CALLBACK_COLD_P95_MS,
            ),
            (
                f"{c['page']}: warm p95",
                f"{t.CALLBACK_WARM_P95_MS} ms",
                f"{c['warm_p95_ms']} ms",
                c["warm_p95_ms"] <= t.CALLBACK_WARM_P95_MS,
            ),
            (
                f"{c['page']}: answer size",
                f"{t.RESPONSE_MAX_BYTES:,} B",
                f"{c['bytes']:,} B",
                c["bytes"] <= t.RESPONSE_MAX_BYTES,
            ),
            (
                f"{c['page']}: largest figure",
                f"{t.FIGURE_MAX_BYTES:,} B",
                f"{c['largest_figure_bytes']:,} B",
                c["largest_figure_bytes"] <= t.FIGURE_MAX_BYTES,
            ),
        ]
    rows += [
        (
            "scheduled refresh",
            f"{t.REFRESH_MAX_S} s",
            f"{results['refresh_s']} s",
            results["refresh_s"] <= t.REFRESH_MAX_S,
        ),
        (
            "score 100,000 applications",
            f"{t.SCORE_100K_MAX_S} s",
            f"{results['score_100k_s']} s",
            results["score_100k_s"] <= t.SCORE_100K_MAX_S,
        ),
        (
            "process memory (one web worker's share)",
            f"{t.WORKER_MAX_MB} MB",
            f"{results['rss_mb']} MB",
            results["rss_mb"] <= t.WORKER_MAX_MB,
        ),
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
    parser.add_argument("--scale", default="large", choices=("small", "medium", "large"))
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--pages", default="", help="only the scenarios whose name has this")
    args = parser.parse_args(argv)
    url = args.database_url or f"sqlite:///{HERE / '.data' / f'beacon-{args.scale}.db'}"
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    (HERE / ".data").mkdir(exist_ok=True)
    _environment(url, backend)
    print(f"Beacon benchmark on {backend}, scale {args.scale}", flush=True)
    prepared = prepare(args.scale)

    import psutil

    import app as beacon

    client = beacon.server.test_client()
    sign_in(client)
    results: dict[str, Any] = {
        "backend": backend,
        "scale": args.scale,
        "runs": args.runs,
        "machine": machine(),
        "prepare": prepared,
        "callbacks": measure_callbacks(client, args.runs, args.pages),
        "score_100k_s": measure_scoring(),
        "refresh_s": measure_refresh(),
    }
    results["rss_mb"] = round(psutil.Process().memory_info().rss / 2**20)
    results["finished_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{backend}-{args.scale}.json").write_text(json.dumps(results, indent=2))
    table = markdown(results)
    (args.out / f"{backend}-{args.scale}.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
