"""The drop folder (BEACON_IMPORT_DIR): how a real deployment's data arrives on schedule.

Another system exports its files into the folder; the scheduled refresh loads what it finds
there as one load (so sessions may refer to tutors sent beside them), all or nothing, and
moves the files to `processed/<when>/` or, with `report.csv` beside them, `failed/<when>/`.
While any file is still being written (changed in the last 30 s) the whole drop waits for
the next run. When the database cannot be reached, the files go back where they were and the
next run tries again; a load the database refused (a constraint) goes to `failed/`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
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
    held_back: list[Path] = field(default_factory=list)  # waiting: one is still being written


def _found(folder: Path) -> list[Path]:
    """Files at the top of the folder in a format Beacon reads."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file()
        and not path.name.startswith(".")
        and not path.name.endswith(PARTIAL_SUFFIXES)
        and path.suffix.lower() in FORMATS
    )


def _arriving(found: list[Path], now: datetime) -> bool:
    settled = now.timestamp() - SETTLE_SECONDS
    return any(p.stat().st_mtime > settled for p in found)


def pick_up(*, folder: Path, now: datetime) -> Picked:
    """The files are moved out of the way first (a rename on one disk), so a file written
    again while the load runs is a new file for the next run, never a torn one. While one is
    still being written, all of them are held back: the rest may refer to it."""
    files = _found(folder)
    if _arriving(files, now):
        return Picked([], None, None, held_back=files)
    if not files:
        return Picked([], None, None)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    claimed = _free(folder / "loading" / stamp)
    claimed.mkdir(parents=True)
    for path in files:
        path.rename(claimed / path.name)
    taken = [claimed / path.name for path in files]
    request = LoadRequest(files=[(f, f.name) for f in taken], source="drop_folder")
    result = load_data(actor=None, request=request, now=now)
    if isinstance(result, Refused):  # the operator is never refused; kept for the type
        raise RuntimeError(result.message)
    if result.outcome == "failed" and result.retry:  # the database: the next run tries again
        for path in taken:
            if not (folder / path.name).exists():
                path.rename(folder / path.name)
        shutil.rmtree(claimed, ignore_errors=True)
        _tidy(claimed.parent)
        return Picked(files, result, None)
    kind = "processed" if result.outcome == "loaded" else "failed"
    target = _free(folder / kind / stamp)
    target.parent.mkdir(parents=True, exist_ok=True)
    claimed.rename(target)
    _tidy(claimed.parent)
    if report_file(result.load_id).exists():
        shutil.copyfile(report_file(result.load_id), target / "report.csv")
    return Picked(files, result, target)


def _tidy(folder: Path) -> None:
    try:
        folder.rmdir()  # only when empty: another run's claim may be in it
    except OSError:
        pass


def _free(path: Path) -> Path:
    """Two pick-ups in one second (a retried run) get their own folders."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate
