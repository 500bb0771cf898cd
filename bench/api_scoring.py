"""Credit scoring over the API: server time of one application (p50/p95/p99) and of batches.

    .venv/bin/python -m bench.api_scoring                    # SQLite file under bench/.data
    .venv/bin/python -m bench.api_scoring --database-url postgresql://user:pw@host:5432/postgres

It seeds a new database at `--scale` (medium: 2 years of a mid-sized organisation), trains
the scorecard, makes an analyst's API token, and sends requests through the whole app in
this process (WSGI: token check, rate limit, validation, scoring, the stored application
with its score, journey step, kept daily tables and audit entry, the JSON answer), timing
each from request to answer: the server's time, without a network. Single applications
are stored (the default) and, separately, dry runs. Target: 50 ms p95 for one stored
application. Results go to `bench/results/api-scoring-<backend>`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "results"
TARGET_P95_MS = 50.0
SINGLES, WARM_UP = 500, 30


def new_database(url: str | None, name: str = "api-bench") -> str:
    """A new empty database called `name`: a SQLite file under bench/.data, or on the
    PostgreSQL server of `url`."""
    if url is None:
        path = DATA / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        database = "beacon_" + name.replace("-", "_")
        conn.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {database}"))
    server.dispose()
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def use_new_database(database_url: str | None, *, name: str, **environment: str) -> str:
    """A new empty database (see `new_database`) that this process's app will use, outside
    demo mode and with no scheduler; `environment` adds settings. Returns its URL."""
    DATA.mkdir(parents=True, exist_ok=True)
    url = new_database(database_url, name=name)
    os.environ.update(
        DATABASE_URL=url,
        SECRET_KEY="bench-" + "x" * 40,
        BEACON_PUBLIC_URL="http://127.0.0.1:8050",
        BEACON_SCHEDULER="off",
        BEACON_DEMO="false",
        **environment,
    )
    return url


def applications(count: int, customers: list[int], seed: int = 5) -> list[dict[str, object]]:
    """Valid applications for Tuition Flex (product 1), spread over the customers."""
    rng = np.random.default_rng(seed)
    return [
        {
            "customer_id": int(rng.choice(customers)),
            "product_id": 1,
            "amount": float(rng.integers(5, 60) * 100),
            "term_months": int(rng.integers(3, 13)),
            "channel": str(rng.choice(["web", "mobile", "partner_school", "branch"])),
            "debt_to_income": round(float(rng.uniform(0, 0.8)), 2),
            "credit_history_months": int(rng.integers(0, 240)),
            "delinquencies_2y": int(rng.integers(0, 3)),
            "open_loans": int(rng.integers(0, 4)),
        }
        for _ in range(count)
    ]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (any database on it)")
    parser.add_argument("--scale", default="medium", choices=["small", "medium", "large"])
    options = parser.parse_args()
    backend = "postgresql" if options.database_url else "sqlite"
    url = use_new_database(
        options.database_url, name="api-bench", BEACON_API_LIMIT="100000 per minute"
    )
    from actions.api_tokens import create_token
    from actions.base import Actor
    from data.migrate import upgrade_head
    from data.seed import seed_database
    from jobs import credit_scoring

    upgrade_head()
    seed_database(create_engine(url), scale=options.scale, seed=7, as_of=date.today())
    credit_scoring.run()

    import app as beacon
    from data import accounts
    from data.engine import connect, transaction

    with transaction() as conn:
        admin = accounts.create_account(
            conn=conn, email="bench@example.org", display_name="Bench", role="admin",
            region_ids=(), password_hash=None,
        )  # fmt: skip
    token = create_token(
        actor=Actor(user_id=admin, display_name="Bench", role="admin"),
        name="bench", role="analyst", regions=[], days=1, allow=None, now=datetime.now(UTC),
    )  # fmt: skip
    with connect() as conn:
        customers = [
            int(i) for i in conn.execute(text("SELECT id FROM credit_customers")).scalars()
        ]
    headers = {"Authorization": f"Bearer {token.secret}"}  # type: ignore[union-attr]
    client = beacon.server.test_client()
    path = "/api/v1/credit/applications/score"

    def timed(url: str, body: object) -> float:
        started = time.perf_counter()
        answer = client.post(url, json=body, headers=headers)
        seconds = time.perf_counter() - started
        if answer.status_code != 200:
            raise SystemExit(f"{url}: {answer.status_code} {answer.get_data(as_text=True)[:300]}")
        return seconds * 1000

    pool = applications(SINGLES + WARM_UP, customers)
    for body in pool[:WARM_UP]:
        timed(f"{path}?dry_run=true", body)
    stored = [timed(path, body) for body in pool[WARM_UP:]]
    dry = [timed(f"{path}?dry_run=true", body) for body in pool[WARM_UP:]]
    batches = {
        size: timed(
            f"{path.replace('score', 'score-batch')}",
            {"applications": applications(size, customers, seed=size)},
        )
        for size in (100, 1_000, 10_000)
    }
    result = {
        "backend": backend,
        "scale": options.scale,
        "customers": len(customers),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "single_stored_ms": {
            q: percentile(stored, n) for q, n in (("p50", 50), ("p95", 95), ("p99", 99))
        },
        "single_dry_run_ms": {
            q: percentile(dry, n) for q, n in (("p50", 50), ("p95", 95), ("p99", 99))
        },
        "single_mean_ms": statistics.fmean(stored),
        "batch_ms": {str(k): v for k, v in batches.items()},
        "target_p95_ms": TARGET_P95_MS,
        "requests": len(stored),
    }
    stem = RESULTS / f"api-scoring-{backend}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2))
    stem.with_suffix(".md").write_text(table(result))
    print(table(result))


def table(result: dict) -> str:  # type: ignore[type-arg]
    single, dry = result["single_stored_ms"], result["single_dry_run_ms"]
    verdict = "met" if single["p95"] <= result["target_p95_ms"] else "MISSED"
    lines = [
        f"# API scoring, {result['backend']} ({result['scale']} scale, "
        f"{result['customers']:,} customers)",
        "",
        f"{result['measured_at']} on {result['machine']}; {result['requests']} requests each.",
        "",
        "| request | p50 | p95 | p99 |",
        "|---|---|---|---|",
        f"| one application, stored | {single['p50']:.1f} ms | **{single['p95']:.1f} ms** "
        f"| {single['p99']:.1f} ms |",
        f"| one application, dry run | {dry['p50']:.1f} ms | {dry['p95']:.1f} ms "
        f"| {dry['p99']:.1f} ms |",
        "",
        f"Target 50 ms p95 for one stored application: {verdict}.",
        "",
        "| batch (stored, one request) | server time | per application |",
        "|---|---|---|",
        *(
            f"| {int(size):,} | {ms / 1000:.2f} s | {ms / int(size):.2f} ms |"
            for size, ms in result["batch_ms"].items()
        ),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
