"""`python -m beacon load`, `package` and `contract`, run as an operator runs them."""

from __future__ import annotations

import csv
from pathlib import Path

from data.contract import ENTITIES
from data.contract.docs import markdown, template_frame
from tests.imports.conftest import FILES, write_files
from tests.ops.helpers import beacon, operator_env

ROOT = Path(__file__).resolve().parents[2]


def test_load_checks_first_writes_in_order_and_exits_1_on_refused_rows(sqlite_url, tmp_path):
    env = operator_env(sqlite_url)
    files = dict(FILES)
    files["students.csv"] += "S9,Bad Grade,R1,seventh,2025-09-01\n"
    folder = write_files(tmp_path / "org", files)

    refused = beacon("load", str(folder), "--report", str(tmp_path / "report.csv"), env=env)
    assert refused.returncode == 1, refused.stderr
    assert "students.csv, row 5, column grade, value 'seventh': is not a whole number" in (
        refused.stdout
    )
    assert "Nothing was loaded: 1 problem." in refused.stdout
    # Refused, the counts are what it would have written, and say so.
    assert refused.stdout.splitlines()[0].split() == (
        "entity to insert to update unchanged to delete rejected".split()
    )
    with (tmp_path / "report.csv").open() as report:
        assert list(csv.DictReader(report)) == [
            {
                "file": "students.csv",
                "row": "5",
                "column": "grade",
                "value": "seventh",
                "reason": "is not a whole number",
            }
        ]

    skipped = beacon("load", str(folder), "--skip-bad-rows", env=env)
    assert skipped.returncode == 0, skipped.stderr
    lines = {line.split()[0]: line.split()[1:] for line in skipped.stdout.splitlines()[1:8]}
    assert lines["students"] == ["3", "0", "0", "0", "1"]  # inserted ... rejected
    assert lines["tutoring_sessions"] == ["3", "0", "0", "0", "0"]

    again = beacon("load", str(folder / "regions.csv"), env=env)
    assert again.returncode == 0
    counts = again.stdout.splitlines()[1].split()
    assert counts == ["regions", "0", "0", "2", "0", "0"]  # all unchanged


def test_package_writes_every_entity_in_the_format_load_reads(sqlite_url, tmp_path):
    env = operator_env(sqlite_url)
    assert beacon("load", str(write_files(tmp_path / "org", dict(FILES))), env=env).returncode == 0
    done = beacon("package", str(tmp_path / "package"), env=env)
    assert done.returncode == 0, done.stderr
    assert sorted(p.stem for p in (tmp_path / "package").iterdir()) == sorted(
        e.name for e in ENTITIES
    )
    assert (tmp_path / "package" / "tutors.csv").read_text().splitlines()[1:] == [
        "T1,Ada Lovelace,ada@org.test,R1,Maths,2024-09-01,,active,20",
        "T2,Alan Turing,alan@org.test,R2,Coding,2025-01-06,,active,12",
    ]


def test_the_contract_documentation_and_templates_are_generated_and_current():
    assert (ROOT / "docs" / "data-contract.md").read_text() == markdown(), (
        "run `python -m beacon contract` and commit docs/"
    )
    for entity in ENTITIES:
        template = ROOT / "docs" / "templates" / f"{entity.name}.csv"
        assert template.read_text() == template_frame(entity).to_csv(index=False)
        assert (ROOT / "docs" / "templates" / f"{entity.name}.xlsx").exists()
