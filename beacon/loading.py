"""`python -m beacon load`: the operator's load, its summary per entity and its report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click

from actions.base import Refused
from actions.imports import LoadRequest, LoadResult, load_data
from data.contract.files import gather, problems_frame

SHOWN_PROBLEMS = 20


def load_path(
    path: Path,
    *,
    dry_run: bool,
    skip_bad_rows: bool,
    encoding: str | None,
    delimiter: str | None,
    report: Path | None,
    echo: Callable[[str], None],
) -> LoadResult:
    files = gather(path)
    request = LoadRequest(
        files=[(f, f.name) for f in files],
        dry_run=dry_run,
        skip_bad_rows=skip_bad_rows,
        source="command",
        encoding=encoding,
        delimiter=delimiter,
    )
    result = load_data(actor=None, request=request, now=datetime.now(UTC))
    if isinstance(result, Refused):
        raise click.ClickException(result.message)
    print_summary(result, echo)
    if report is not None:
        problems_frame(result.problems).to_csv(report, index=False)
        echo(f"report   {len(result.problems):,} problems written to {report}")
    return result


def print_summary(result: LoadResult, echo: Callable[[str], None]) -> None:
    if result.counts:
        width = max(len(c.entity) for c in result.counts)
        # Checked or refused, nothing was written: the counts are what a load would write.
        done = result.outcome == "loaded"
        inserted, updated, deleted = (
            ("inserted", "updated", "deleted") if done else ("to insert", "to update", "to delete")
        )
        echo(
            f"  {'entity':<{width}}  {inserted:>9} {updated:>9} {'unchanged':>9} "
            f"{deleted:>9} {'rejected':>9}"
        )
        for c in result.counts:
            echo(
                f"  {c.entity:<{width}}  {c.inserted:>9,} {c.updated:>9,} {c.unchanged:>9,} "
                f"{c.deleted:>9,} {c.rejected:>9,}"
            )
    for problem in result.problems[:SHOWN_PROBLEMS]:
        where = ", ".join(
            part
            for part in (
                problem.file,
                f"row {problem.row}" if problem.row else "",
                f"column {problem.column}" if problem.column else "",
                f"value {problem.value!r}" if problem.value is not None else "",
            )
            if part
        )
        echo(f"  problem  {where}: {problem.reason}")
    if result.problem_total > SHOWN_PROBLEMS:
        echo(f"  ... and {result.problem_total - SHOWN_PROBLEMS:,} more (--report FILE lists all)")
    echo(result.message)
