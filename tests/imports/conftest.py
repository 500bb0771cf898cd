"""A small organisation's files, written as its systems would export them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from actions.base import Actor
from actions.imports import LoadRequest, LoadResult, load_data
from data import engine
from data.package import write_package
from tests.conftest import create_test_account

NOW = datetime(2026, 6, 16, 9, 0, tzinfo=UTC)

FILES = {
    "regions.csv": "external_id,code,name\nR1,NORTH,North\nR2,SOUTH,South\n",
    "tutors.csv": (
        "external_id,name,email,region_id,subject,hired_on,status,weekly_capacity\n"
        "T1,Ada Lovelace,ada@org.test,R1,Maths,2024-09-01,active,20\n"
        "T2,Alan Turing,alan@org.test,R2,Coding,2025-01-06,active,12\n"
    ),
    "students.csv": (
        "external_id,name,region_id,grade,enrolled_on\n"
        "S1,Sam Okafor,R1,7,2025-09-01\n"
        "S2,Zoë Brontë,R2,9,2025-09-01\n"
        "S3,Li Wei,R1,8,2026-01-10\n"
    ),
    "tutoring_sessions.csv": (
        "external_id,tutor_id,student_id,scheduled_start,duration_minutes,status,rating\n"
        "X1,T1,S1,2026-06-01T15:00:00+00:00,60,completed,5\n"
        "X2,T1,S3,2026-06-02T15:00:00+00:00,45,no_show,\n"
        "X3,T2,S2,2026-06-03T16:00:00+01:00,60,completed,4\n"
    ),
    "credit_products.csv": (
        "external_id,code,name,purpose,min_amount,max_amount,min_term_months,"
        "max_term_months,worst_band,margin\n"
        "P1,TUITION-12,Tuition loan,tuition,500,10000,6,24,medium,0.04\n"
    ),
    "credit_customers.csv": (
        "external_id,name,region_id,birth_year,annual_income,employment,employment_years,"
        "housing,channel\n"
        "C1,Maria Silva,R1,1990,42000,employed,4.5,rent,web\n"
    ),
    "credit_applications.csv": (
        "external_id,customer_id,product_id,applied_at,amount,term_months,purpose,channel,"
        "status\n"
        "A1,C1,P1,2026-02-27T10:30:00+00:00,3000,12,tuition,web,approved\n"
    ),
}


def write_files(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        path = folder / name
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return folder


def admin() -> Actor:
    made = create_test_account("admin")
    return Actor(user_id=made.id, display_name=made.display_name, role="admin")


def load(
    folder: Path, *, actor: Actor | None = None, now: datetime = NOW, **options: object
) -> LoadResult:
    paths = sorted(p for p in folder.iterdir() if p.is_file())
    request = LoadRequest(files=[(p, p.name) for p in paths], **options)  # type: ignore[arg-type]
    result = load_data(actor=actor, request=request, now=now)
    assert isinstance(result, LoadResult), result
    return result


def snapshot(folder: Path) -> dict[str, str]:
    """Everything the contract covers, as the data package writes it."""
    with engine.snapshot() as conn:
        write_package(conn=conn, folder=folder)
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


@pytest.fixture
def org(empty_url, use_database, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    """An empty Beacon holding the small organisation's data; returns its files' folder."""
    use_database(empty_url)
    folder = write_files(tmp_path / "org", dict(FILES))
    result = load(folder)
    assert result.outcome == "loaded", result.problems
    return folder
