"""The drop folder, picked up by the scheduled refresh as a deployment runs it: files loaded
and moved to processed/, refused files moved to failed/ with their report, files still
arriving left alone, and the admins told of a refused drop."""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data.engine import connect
from data.models import ActivityEvent, DataLoad, TutoringSession
from data.queries.overview import data_as_of
from jobs import refresh
from settings import get_settings
from tests.conftest import create_test_account
from tests.imports.conftest import FILES, write_files


@pytest.fixture
def drop(sqlite_url, use_database, tmp_path, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    use_database(sqlite_url)
    folder = tmp_path / "drop"
    folder.mkdir()
    monkeypatch.setenv("BEACON_IMPORT_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def settled(folder: Path, files: dict[str, str]) -> None:
    """Files another system finished writing a minute ago."""
    write_files(folder, files)
    past = time.time() - 60
    for name in files:
        os.utime(folder / name, (past, past))


def sessions() -> int:
    with connect() as conn:
        return int(conn.execute(select(func.count()).select_from(TutoringSession)).scalar_one())


def test_the_refresh_loads_the_drop_and_moves_it_to_processed(drop):
    settled(drop, dict(FILES))
    (drop / "tutors.csv.part").write_text("still arriving")

    run = refresh.run(job="refresh", trigger="schedule", slot="2026-06-16T09:00")
    assert run.status == "succeeded", run.detail
    assert "drop folder: 7 files loaded" in (run.detail or "")
    assert sessions() == 3
    [processed] = (drop / "processed").iterdir()
    assert sorted(p.name for p in processed.iterdir()) == sorted(FILES)
    assert sorted(p.name for p in drop.iterdir()) == ["processed", "tutors.csv.part"]
    with connect() as conn:
        newest = data_as_of(conn=conn).set_index("source")["newest"]["tutoring_sessions"]
        load = conn.execute(select(DataLoad.source, DataLoad.outcome)).one()
    assert str(newest)[:10] == "2026-06-03"  # the newest loaded session, not the demo's
    assert tuple(load) == ("drop_folder", "loaded")

    again = refresh.run(job="refresh")  # nothing new in the folder: nothing loaded twice
    assert "drop folder" not in (again.detail or "") and sessions() == 3


def test_a_refused_drop_goes_to_failed_with_its_report_and_the_admins_hear_of_it(drop):
    admin = create_test_account("admin")
    files = dict(FILES)
    files["students.csv"] += "S9,Bad Grade,R1,seventh,2025-09-01\n"
    settled(drop, files)
    fresh = {"credit_products.csv": FILES["credit_products.csv"]}

    run = refresh.run(job="refresh")
    assert run.status == "succeeded" and "drop folder: 7 files rejected" in (run.detail or "")
    assert sessions() == 0  # all or nothing
    [failed] = (drop / "failed").iterdir()
    assert sorted(p.name for p in failed.iterdir()) == sorted([*files, "report.csv"])
    with (failed / "report.csv").open() as report:
        [problem] = list(csv.DictReader(report))
    assert (problem["file"], problem["row"], problem["column"]) == ("students.csv", "5", "grade")
    with connect() as conn:
        told = conn.execute(
            select(ActivityEvent.summary).where(ActivityEvent.entity_type == "data_load")
        ).scalar_one()
    assert "1 problem" in told and str(failed) in told and admin.id

    settled(drop, {"regions.csv": FILES["regions.csv"]})
    write_files(drop, fresh)  # written just now: may still be arriving, and holds back the rest
    # Said, not silent: the refresh had said nothing, and the files came in a run later.
    held = "drop folder: 2 files held back, one still being written (changed in the last 30 s)"
    assert held in (refresh.run(job="refresh").detail or "")
    assert (drop / "credit_products.csv").exists() and (drop / "regions.csv").exists()
