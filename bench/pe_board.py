"""A full PE board in the browser: how long the PE dashboard takes to draw all 15 widgets.

    .venv/bin/python -m bench.pe_board                    # SQLite file under bench/.data
    .venv/bin/python -m bench.pe_board --database-url postgresql://user:pw@host:5432/postgres

It seeds a new database at `--scale` (medium: 2 years of a mid-sized organisation), gives
an admin (every region: the most data) a board with every widget, serves the app with
gunicorn as `./run.sh --workers 2` does (2 threaded workers, 8 threads each) and loads
`/pe` in headless Chromium `--runs` times with the app's cache flushed first (cold) and
again right after (warm). Each load is timed from the navigation start until every
widget's body is filled, nothing is loading and every chart has drawn its SVG. Target:
3 s. Results go to `bench/results/pe-board-<backend>`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
from datetime import UTC, date, datetime

from sqlalchemy import create_engine

from bench.api_scoring import RESULTS, use_new_database

TARGET_MS = 3_000
EMAIL = "pe-board-bench@example.org"

# Resolves with performance.now() once `n` widgets are drawn: bodies filled, nothing
# loading, and every chart's SVG in place.
DRAWN = """
const [n, done] = arguments;
const look = () => {
  const bodies = [...document.querySelectorAll('.widget-body')];
  const filled = bodies.filter(b => b.children.length > 0).length;
  const loading = document.querySelector('[data-dash-is-loading="true"]');
  const graphs = [...document.querySelectorAll('.widget-body .dash-graph')];
  const drawn = graphs.every(g => g.querySelector('.main-svg'));
  (bodies.length >= n && filled >= n && !loading && drawn)
    ? done(performance.now()) : requestAnimationFrame(look);
};
look();
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (any database on it)")
    parser.add_argument("--scale", default="medium", choices=["small", "medium", "large"])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    backend = "postgresql" if options.database_url else "sqlite"
    url = use_new_database(options.database_url, name="pe-board-bench")
    from actions.account import save_preference
    from actions.base import Actor
    from actions.pe_board import PREFERENCE, WIDGETS, Filters
    from actions.pe_widgets import WIDGETS as _registered  # noqa: F401  (fills WIDGETS)
    from bench.accounts import bench_account
    from bench.browser import _sign_in, chromium
    from bench.served import gunicorn
    from data import accounts, cache
    from data.engine import connect
    from data.migrate import upgrade_head
    from data.seed import seed_database

    upgrade_head()
    seed_database(create_engine(url), scale=options.scale, seed=7, as_of=date.today())
    password = bench_account(EMAIL, "admin")
    with connect() as conn:
        admin = accounts.account_by_email(conn=conn, email=EMAIL)
    assert admin is not None
    board = {
        "widgets": [{"widget": w, "size": "medium", "options": {}} for w in WIDGETS],
        "filters": Filters().model_dump(mode="json"),
    }
    actor = Actor(user_id=admin.id, display_name=admin.display_name, role="admin")
    save_preference(actor=actor, name=PREFERENCE, value=board)

    timings: dict[str, list[float]] = {"cold": [], "warm": []}
    log = RESULTS.parent / ".data" / "pe-board-gunicorn.log"
    with gunicorn(2, log, threads=8) as served:
        driver = chromium()
        try:
            _sign_in(driver, served.url, EMAIL, password)
            driver.get(served.url + "/pe")  # the browser caches the scripts once
            driver.execute_async_script(DRAWN, len(WIDGETS))
            for _ in range(options.runs):
                for kind in ("cold", "warm"):
                    if kind == "cold":
                        cache.backend().clear()
                    driver.get("about:blank")
                    driver.get(served.url + "/pe")
                    ms = float(driver.execute_async_script(DRAWN, len(WIDGETS)))
                    timings[kind].append(ms)
                    print(f"  {kind}: {ms:.0f} ms", flush=True)
        finally:
            driver.quit()
    result = {
        "backend": backend,
        "scale": options.scale,
        "widgets": len(WIDGETS),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "runs": options.runs,
        "drawn_ms": {
            kind: {"median": statistics.median(ms), "worst": max(ms)}
            for kind, ms in timings.items()
        },
        "target_ms": TARGET_MS,
    }
    stem = RESULTS / f"pe-board-{backend}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2))
    stem.with_suffix(".md").write_text(table(result))
    print(table(result))


def table(result: dict) -> str:  # type: ignore[type-arg]
    drawn = result["drawn_ms"]
    verdict = "met" if drawn["cold"]["worst"] <= result["target_ms"] else "MISSED"
    return "\n".join(
        [
            f"# A full PE board, {result['backend']} ({result['scale']} scale, "
            f"{result['widgets']} widgets)",
            "",
            f"{result['measured_at']} on {result['machine']}; {result['runs']} loads each, "
            "headless Chromium against gunicorn (2 workers, 8 threads each).",
            "",
            "| app cache | median | worst |",
            "|---|---|---|",
            *(
                f"| {kind} | {v['median'] / 1000:.2f} s | {v['worst'] / 1000:.2f} s |"
                for kind, v in drawn.items()
            ),
            "",
            f"Target {result['target_ms'] / 1000:.0f} s for every widget drawn, cold: {verdict}.",
            "",
        ]
    )


if __name__ == "__main__":
    main()
