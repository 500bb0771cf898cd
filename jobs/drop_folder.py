"""The drop folder (BEACON_IMPORT_DIR): how a real deployment's data arrives on schedule.

Another system exports its files into the folder; the scheduled refresh loads what it finds
there as one load (so sessions may refer to tutors sent beside them), all or nothing, and
moves the files to `processed/<when>/` or, with `report.csv` beside them, `failed/<when>/`.
A file still being written is left for the next run: it must have been still for a while.
When the database itself fails, the files stay where they are and the next run tries again.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from actions.base import Refused
from actions.imports import LoadRequest, LoadResult, load_data, report_file
from data.contract.files import FORMATS

SETTLE_SECONDS = 30  # a file changed more recently may still be arriving
PARTIAL_SUFFIXES = (".part", ".tmp", ".crdownload")


@dataclass(frozen=True)
class Picked:
    files: list[Path]
    result: LoadResult | None  # None when there was nothing to load
    moved_to: Path | None


def ready_files(folder: Path, now: datetime) -> list[Path]:
    """Files at the top of the folder, in a format Beacon reads, that are done arriving."""
    if not folder.is_dir():
        return []
    settled = now.timestamp() - SETTLE_SECONDS
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file()
        and not path.name.startswith(".")
        and not path.name.endswith(PARTIAL_SUFFIXES)
        and path.suffix.lower() in FORMATS
        and path.stat().st_mtime <= settled
    )


def pick_up(*, folder: Path, now: datetime) -> Picked:
    files = ready_files(folder, now)
    if not files:
        return Picked([], None, None)
    request = LoadRequest(files=[(f, f.name) for f in files], source="drop_folder")
    result = load_data(actor=None, request=request, now=now)
    if isinstance(result, Refused):  # the operator is never refused; kept for the type
        raise RuntimeError(result.message)
    if result.outcome == "failed":
        return Picked(files, result, None)
    kind = "processed" if result.outcome == "loaded" else "failed"
    target = _free(folder / kind / now.strftime("%Y%m%dT%H%M%SZ"))
    target.mkdir(parents=True)
    for path in files:
        shutil.move(str(path), target / path.name)
    if report_file(result.load_id).exists():
        shutil.copyfile(report_file(result.load_id), target / "report.csv")
    return Picked(files, result, target)


def _free(path: Path) -> Path:
    """Two pick-ups in one second (a retried run) get their own folders."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate
