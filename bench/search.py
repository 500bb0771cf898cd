"""The global search: how long the top bar's search takes to answer, through the real app.

    .venv/bin/python -m bench.search                    # SQLite file under bench/.data
    .venv/bin/python -m bench.search --database-url postgresql://user:pw@host:5432/postgres

It seeds a new database at `--scale` (large: 8 regions, 5,000 tutors, about 1 M tutoring
sessions, 100,000 credit applications), signs an admin in (every region: the most rows to
look through) with the Flask test client, and sends the search box's callback as the
browser does, for texts from two letters (the most matches) to whole names, `--runs` times
each. Target: 100 ms p95. Results go to `bench/results/search-<backend>`.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from datetime import UTC, date, datetime
from types import SimpleNamespace

from sqlalchemy import create_engine, select

from bench.api_scoring import RESULTS, percentile, use_new_database
from bench.callbacks import payload

TARGET_MS = 100
EMAIL = "search-bench@example.org"


def texts() -> list[str]:
    """Two letters that match many names, a surname, a whole name, a school, and no match."""
    from data.engine import connect
    from data.models import School, Tutor

    with connect() as conn:
        name = conn.execute(select(Tutor.name).order_by(Tutor.id).limit(1)).scalar_one()
        school = conn.execute(select(School.name).order_by(School.id).limit(1)).scalar_one()
    return ["an", "ma", name.split()[-1][:4], name, school, "credit", "zzqx"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (any database on it)")
    parser.add_argument("--scale", default="large", choices=["small", "medium", "large"])
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()
    backend = "postgresql" if options.database_url else "sqlite"
    url = use_new_database(options.database_url, name="search-bench")
    from bench.accounts import bench_account, sign_in
    from data.migrate import upgrade_head
    from data.seed import seed_database

    upgrade_head()
    started = time.perf_counter()
    seed_database(create_engine(url), scale=options.scale, seed=7, as_of=date.today())
    seeded = time.perf_counter() - started
    import app as beacon

    client = beacon.server.test_client()
    sign_in(client, EMAIL, bench_account(EMAIL))
    callbacks = client.get("/_dash-dependencies").get_json()
    callback = next(c for c in callbacks if c["output"] == "shell-search.options")
    rows, every = [], []
    for text in texts():
        scenario = SimpleNamespace(values={"shell-search": text}, wildcard={})
        body = payload(callback, scenario)
        body["inputs"][0]["value"] = text
        timings, answers = [], 0
        for _ in range(options.runs):
            began = time.perf_counter()
            answer = client.post("/_dash-update-component", json=body)
            timings.append((time.perf_counter() - began) * 1000)
            assert answer.status_code == 200, answer.status_code
            answers = len(answer.get_json()["response"]["shell-search"]["options"])
        every += timings
        rows.append(
            {
                "text": text,
                "answers": answers,
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(percentile(timings, 95), 1),
            }
        )
        print(rows[-1], flush=True)
    result = {
        "backend": backend,
        "scale": options.scale,
        "when": datetime.now(UTC).isoformat(timespec="minutes"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "seed_seconds": round(seeded, 1),
        "runs": options.runs,
        "texts": rows,
        "p95_ms": round(percentile(every, 95), 1),
        "target_ms": TARGET_MS,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"search-{backend}.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"# Global search, {backend} ({options.scale} scale, {options.runs} runs per text)",
        "",
        f"{result['when']} · {result['machine']} · seeded in {result['seed_seconds']} s",
        "",
        "| text | answers | p50 ms | p95 ms |",
        "|---|---:|---:|---:|",
        *[f"| {r['text']} | {r['answers']} | {r['p50_ms']} | {r['p95_ms']} |" for r in rows],
        "",
        f"Every search: p95 **{result['p95_ms']} ms** (target {TARGET_MS} ms: "
        + ("met" if result["p95_ms"] <= TARGET_MS else "missed")
        + ").",
    ]
    (RESULTS / f"search-{backend}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
