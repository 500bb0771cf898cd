"""Command line for the demo data generator."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime

from data.engine import get_engine
from data.migrate import upgrade_head
from data.seed import AlreadySeededError, seed_database
from data.seed.common import SCALES
from settings import load_settings_or_exit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.seed", description=__doc__)
    parser.add_argument("--scale", choices=list(SCALES), default="medium")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=datetime.now(UTC).date(),
        help="the 'today' of the demo data (default: today, UTC)",
    )
    parser.add_argument("--reset", action="store_true", help="replace the data already there")
    args = parser.parse_args(argv)
    load_settings_or_exit()
    upgrade_head()
    try:
        report = seed_database(
            get_engine(), scale=args.scale, seed=args.seed, as_of=args.as_of, reset=args.reset
        )
    except AlreadySeededError as exc:
        print(f"not seeded: {exc}", file=sys.stderr)
        return 1
    width = max(len(name) for name in report.rows)
    for name, count in report.rows.items():
        print(f"  {name:<{width}}  {count:>10,}")
    print(
        f"{report.scale} seed {report.seed} as of {report.as_of} on {report.dialect}: "
        f"{report.total_rows:,} rows, generated in {report.generate_seconds:.1f} s, "
        f"loaded in {report.load_seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
