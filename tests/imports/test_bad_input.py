"""Every kind of bad file gets a plain-language problem (file, row, column, value, reason),
and the database is exactly as it was before the load."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from openpyxl import Workbook

from settings import get_settings
from tests.imports.conftest import load, snapshot, write_files


def refused(org: Path, tmp_path: Path, files: dict[str, str | bytes], **options: object):  # type: ignore[no-untyped-def]
    """Load `files` into the organisation's Beacon: the load must be refused and change
    nothing. Returns its problems."""
    before = snapshot(tmp_path / "before")
    result = load(write_files(tmp_path / "bad", files), **options)
    assert result.outcome == "rejected", result.message
    assert result.problems, "a refused load says why"
    assert snapshot(tmp_path / "after") == before
    return result.problems


def test_a_missing_or_unknown_column_rejects_the_file(org, tmp_path):
    problems = refused(
        org,
        tmp_path,
        {"tutors.csv": "external_id,name,email,region,subject\nT9,Bo,bo@org.test,R1,Art\n"},
    )
    reasons = " ".join(p.reason for p in problems)
    assert "column region_id: this required column is missing" in reasons
    assert "column region: is not a column of tutors" in reasons
    assert problems[0].file == "tutors.csv"


def test_wrong_types_name_the_row_column_and_value(org, tmp_path):
    problems = refused(
        org,
        tmp_path,
        {
            "tutors.csv": (
                "external_id,name,email,region_id,subject,hired_on,status,weekly_capacity\n"
                "T1,Ada Lovelace,ada@org.test,R1,Maths,2024-09-01,active,twenty\n"
                "T3,Bo Diddley,bo@org.test,R1,Music,01/09/2024,active,10\n"
                "T4,Cy Young,cy@org.test,R1,Music,2024-09-01,sleeping,10\n"
                "T5,Di Huge,di@org.test,R1,Music,2024-09-01,active,1e20\n"
            )
        },
    )
    found = {(p.row, p.column, p.value): p.reason for p in problems}
    assert found[(2, "weekly_capacity", "twenty")] == "is not a whole number"
    # Too large to be exact, shown as written (it wrapped round to -9223372036854775808).
    assert found[(5, "weekly_capacity", "1e20")] == "is not a whole number"
    assert found[(3, "hired_on", "01/09/2024")].startswith("is not a date")
    assert found[(4, "status", "sleeping")] == "must be one of: active, left"


def test_an_empty_file_and_a_header_only_file_are_refused(org, tmp_path):
    problems = refused(
        org,
        tmp_path,
        {
            "students.csv": b"",
            "tutors.csv": "external_id,name,email,region_id,subject,"
            "hired_on,status,weekly_capacity\n",
        },
    )
    reasons = {p.file: p.reason for p in problems}
    assert reasons["students.csv"].startswith("is empty")
    assert reasons["tutors.csv"] == "has a header but no rows: there is nothing to load"


def test_duplicate_keys_within_a_file_load_neither_row(org, tmp_path):
    problems = refused(
        org,
        tmp_path,
        {
            "students.csv": (
                "external_id,name,region_id,grade,enrolled_on\n"
                "S7,First Seven,R1,7,2025-09-01\n"
                "S8,Eight,R1,7,2025-09-01\n"
                "S7,Second Seven,R2,8,2025-09-01\n"
            )
        },
    )
    assert [(p.row, p.value) for p in problems] == [(2, "S7"), (4, "S7")]
    assert problems[1].reason == "has the same external_id as row 2"


def test_a_reference_to_an_unknown_tutor_customer_or_class_is_refused(org, tmp_path):
    problems = refused(
        org,
        tmp_path,
        {
            "tutoring_sessions.csv": (
                "external_id,tutor_id,student_id,scheduled_start,duration_minutes,status\n"
                "X9,T404,S1,2026-06-01T15:00:00+00:00,60,completed\n"
                "X10,T1,S1,2026-06-01T17:00:00+00:00,60,completed\n"
            ),
            "credit_applications.csv": (
                "external_id,customer_id,product_id,applied_at,amount,term_months,purpose,"
                "channel,status\n"
                "A9,C404,P1,2026-05-28T10:30:00+00:00,3000,12,tuition,web,submitted\n"
            ),
            "pe_enrollments.csv": "class_id,student_id,enrolled_on\nPE404,S1,2025-09-01\n",
        },
    )
    assert {(p.file, p.row, p.column, p.value) for p in problems} == {
        ("tutoring_sessions.csv", 2, "tutor_id", "T404"),
        ("credit_applications.csv", 2, "customer_id", "C404"),
        ("pe_enrollments.csv", 2, "class_id", "PE404"),
    }
    assert problems[0].reason.startswith("is unknown: no ")


def test_dates_in_the_future_where_the_past_is_required(org, tmp_path):
    problems = refused(
        org,
        tmp_path,
        {
            "tutors.csv": (
                "external_id,name,email,region_id,subject,hired_on,status,weekly_capacity\n"
                "T5,Dee Dee,dee@org.test,R1,Art,2999-01-01,active,10\n"
            ),
            "tutoring_sessions.csv": (
                "external_id,tutor_id,student_id,scheduled_start,duration_minutes,status\n"
                "X11,T1,S1,2999-06-01T15:00:00+00:00,60,completed\n"
                "X12,T1,S1,2999-06-01T17:00:00+00:00,60,scheduled\n"
            ),
        },
    )
    reasons = {(p.file, p.row): p.reason for p in problems}
    assert reasons[("tutors.csv", 2)] == "is in the future; it must already have happened"
    values = {(p.file, p.row): p.value for p in problems}
    assert values[("tutors.csv", 2)] == "2999-01-01"  # as written, not "2999-01-01 00:00:00"
    assert "status says it already happened" in reasons[("tutoring_sessions.csv", 2)]
    assert ("tutoring_sessions.csv", 3) not in reasons  # a booking still to come is fine


def test_negative_amounts_are_refused(org, tmp_path):
    problems = refused(
        org,
        tmp_path,
        {
            "credit_applications.csv": (
                "external_id,customer_id,product_id,applied_at,amount,term_months,purpose,"
                "channel,status\n"
                "A2,C1,P1,2026-05-28T10:30:00+00:00,-3000,12,tuition,web,submitted\n"
            )
        },
    )
    assert [(p.column, p.value, p.reason) for p in problems] == [
        ("amount", "-3000.0", "must be at least 0.01")
    ]


def test_a_file_mixing_encodings_is_refused_and_a_latin1_file_is_read(org, tmp_path):
    mixed = (
        b"external_id,name,region_id,grade,enrolled_on\n"
        + "S20,Zoë Utf,R1,7,2025-09-01\n".encode()
        + "S21,Zoë Latin,R1,7,2025-09-01\n".encode("latin-1")
    )
    problems = refused(org, tmp_path, {"students.csv": mixed})
    assert "mixes text encodings" in problems[0].reason

    latin = (
        "external_id;name;region_id;grade;enrolled_on\nS22;Zoë Brontë;R1;7;2025-09-01\n"
    ).encode("cp1252")
    result = load(write_files(tmp_path / "latin", {"students.csv": latin}))
    assert result.outcome == "loaded", result.problems
    assert "Zoë Brontë" in snapshot(tmp_path / "latin-after")["students.csv"]


@pytest.mark.parametrize(
    "rows",
    [
        "S23,José Núñez,R1,7,2025-09-01\n",  # stored as "José Núńez" (read as cp1250)
        "S24,Zoë Brontë,R1,7,2025-09-01\nS25,Ana Muñoz,R1,8,2025-09-01\n",  # "Zoļ Brontļ"
        # Curly quotes and dashes are a Windows file's punctuation, not a Mac file's letters
        # ("ZoÎ OíBrien"); nor a Baltic DOS one's ("Siobhßn DÆArcy").
        "S26,Zoë O’Brien,R1,7,2025-09-01\nS27,Siobhán D’Arcy – “Shiv”,R1,8,2025-09-01\n",
        "S28,Ægir Þór,R1,7,2025-09-01\n",  # guessed as Big5, then as Vietnamese ("Ægir ̃ór")
    ],
)
def test_a_short_windows_file_of_accented_names_reads_as_written(org, tmp_path, rows):
    """A few accented letters fit many Latin code pages alike; Windows' Western one reads
    them as written, where the guess had picked a Baltic or Central European one."""
    header = "external_id,name,region_id,grade,enrolled_on\n"
    result = load(write_files(tmp_path / "win", {"students.csv": (header + rows).encode("cp1252")}))
    assert result.outcome == "loaded", result.problems
    kept = snapshot(tmp_path / "win-after")["students.csv"]
    for line in rows.splitlines():
        assert line.split(",")[1] in kept


def test_excel_cells_holding_formulas_are_refused(org, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["external_id", "name", "region_id", "grade", "enrolled_on"])
    sheet.append(["S30", "Formula Kid", "R1", "=3+4", "2025-09-01"])
    sheet.append(["S31", "Value Kid", "R1", 7, "2025-09-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    problems = refused(org, tmp_path, {"students.xlsx": buffer.getvalue()})
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "grade", "=3+4")]
    assert "holds a formula" in problems[0].reason


def test_a_file_over_the_size_limit_is_refused(org, tmp_path, monkeypatch):
    monkeypatch.setenv("BEACON_IMPORT_MAX_MB", "0.0001")
    get_settings.cache_clear()
    try:
        problems = refused(org, tmp_path, {"students.csv": "external_id\n" + "S,\n" * 100})
    finally:
        os.environ.pop("BEACON_IMPORT_MAX_MB", None)
        get_settings.cache_clear()
    assert "over the limit of 0.0 MB" in problems[0].reason


def test_a_file_for_an_unknown_entity_is_refused(org, tmp_path):
    problems = refused(org, tmp_path, {"teachers.csv": "external_id,name\nZ1,Zed\n"})
    assert problems[0].file == "teachers.csv"
    assert problems[0].reason.startswith("names no entity of the data contract")


def test_a_row_the_database_would_refuse_rejects_the_load_and_keeps_nothing(org, tmp_path):
    """A new tutor (T6) and one whose e-mail belongs to another tutor: the second is a row
    problem (the database refused it while writing, in its own words); the first is not
    kept either."""
    before = snapshot(tmp_path / "before")
    result = load(
        write_files(
            tmp_path / "bad",
            {
                "tutors.csv": (
                    "external_id,name,email,region_id,subject,hired_on,status,weekly_capacity\n"
                    "T6,New Tutor,new@org.test,R1,Art,2024-09-01,active,10\n"
                    "T7,Copy Cat,ada@org.test,R1,Art,2024-09-01,active,10\n"
                )
            },
        )
    )
    assert result.outcome == "rejected"
    assert [(p.row, p.column) for p in result.problems] == [(3, "email")]
    assert snapshot(tmp_path / "after") == before


def test_skipping_bad_rows_loads_the_good_ones_and_keeps_the_bad_with_reasons(org, tmp_path):
    same_as_before = "X1,T1,S1,2026-06-01T15:00:00+00:00,60,completed,5\n"
    result = load(
        write_files(
            tmp_path / "mixed",
            {
                "tutoring_sessions.csv": (
                    "external_id,tutor_id,student_id,scheduled_start,duration_minutes,status,"
                    "rating\n"
                    + same_as_before
                    + "X4,T2,S2,2026-06-04T16:00:00+00:00,60,completed,9\n"
                    "X5,T2,S2,2026-06-05T16:00:00+00:00,60,completed,3\n"
                )
            },
        ),
        skip_bad_rows=True,
    )
    assert result.outcome == "loaded"
    counts = result.counts[0]
    assert (counts.inserted, counts.unchanged, counts.rejected) == (1, 1, 1)
    assert [(p.row, p.column, p.value) for p in result.problems] == [(3, "rating", "9")]
    sessions = snapshot(tmp_path / "after")["tutoring_sessions.csv"]
    assert "X5," in sessions and "X4," not in sessions


def test_a_broken_parquet_or_xlsx_file_is_a_problem_of_that_file(org, tmp_path):
    problems = refused(
        org,
        tmp_path,
        {"tutors.parquet": b"PAR1 not really parquet", "students.xlsx": b"PK\x03\x04 torn zip"},
    )
    reasons = {p.file: p.reason for p in problems}
    assert reasons["tutors.parquet"].startswith("is not a readable Parquet file")
    assert reasons["students.xlsx"].startswith("is not a readable XLSX workbook")


def test_common_causes_of_an_unreadable_row_say_their_fix(org, tmp_path):
    """A decimal comma, a time in the hour the clocks change, a rule across two columns:
    each had read as a bare "is not a number", a format the value already had, or the
    row's first column."""
    tutors = (
        "external_id,name,email,region_id,subject,hired_on,left_on,status,weekly_capacity\n"
        "T7,Early Leaver,early@org.test,R1,Maths,2025-09-01,2025-08-01,left,10\n"
    )
    customers = (
        "external_id,name,region_id,birth_year,annual_income,employment,employment_years,"
        'housing,channel\nC7,Decimal Comma,R1,1990,"42000,50",employed,4,rent,web\n'
        'C8,Thousands,R1,1990,"42,000",employed,4,rent,web\n'
    )
    sessions = (
        "external_id,tutor_id,student_id,scheduled_start,duration_minutes,status,rating\n"
        "X7,T1,S1,2026-03-29T01:30:00,60,completed,5\n"  # London skips 01:00-02:00 that day
        "X8,T1,S1,2025-10-26T01:30:00,60,completed,5\n"  # and passes 01:00-02:00 twice
    )
    problems = refused(
        org,
        tmp_path,
        {
            "tutors.csv": tutors,
            "credit_customers.csv": customers,
            "tutoring_sessions.csv": sessions,
        },
    )
    said = {(p.file, p.column, p.value): p.reason for p in problems}
    assert said[("tutors.csv", "left_on", "2025-08-01")] == "left_on is before hired_on"
    assert said[("credit_customers.csv", "annual_income", "42000,50")] == (
        "is not a number: write decimals with a point (42000.50)"
    )
    # Not "write decimals with a point (42.000)": followed, that loaded an income of 42.
    assert said[("credit_customers.csv", "annual_income", "42,000")] == (
        "is not a number: write it with no thousands separator (42000), and decimals with a point"
    )
    changed = (
        "is in the hour the clocks change in Europe/London: it is missing or happens twice; "
        "write it with its offset (such as +01:00)"
    )
    assert said[("tutoring_sessions.csv", "scheduled_start", "2026-03-29T01:30:00")] == changed
    assert said[("tutoring_sessions.csv", "scheduled_start", "2025-10-26T01:30:00")] == changed
