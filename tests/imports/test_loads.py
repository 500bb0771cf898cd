"""A load is idempotent and incremental, all or nothing, an admin's act on record, and the
demo data makes the round trip: seed, package, load into an empty Beacon, same numbers."""

from __future__ import annotations

import os
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select, text

from actions.base import Actor, Refused
from actions.imports import LoadRequest, load_data
from data import audit as audit_log
from data.engine import connect, get_engine
from data.engine import snapshot as one_moment
from data.load_history import load_history
from data.models import SessionDay, Tutor
from data.package import write_package
from data.queries import home
from data.queries.overview import active_loan_arrears, data_as_of
from tests.conftest import create_test_account, new_database, pointed_at
from tests.imports.conftest import NOW, admin, load, snapshot, write_files

SESSIONS_HEADER = "external_id,tutor_id,student_id,scheduled_start,duration_minutes,status,rating\n"


def test_loading_the_same_files_twice_changes_nothing(org, tmp_path):
    before = snapshot(tmp_path / "before")
    again = load(org)
    assert again.outcome == "loaded"
    assert all(c.inserted == c.updated == c.deleted == 0 for c in again.counts)
    assert sum(c.unchanged for c in again.counts) == 13  # every row of the seven files
    assert snapshot(tmp_path / "after") == before


def test_a_corrected_row_updates_new_rows_extend_and_deleted_rows_go(org, tmp_path):
    result = load(
        write_files(
            tmp_path / "next",
            {
                "tutoring_sessions.csv": SESSIONS_HEADER
                + "X1,T1,S1,2026-06-01T15:00:00+00:00,60,completed,5\n"  # as before
                + "X2,T1,S3,2026-06-02T15:00:00+00:00,45,completed,3\n"  # corrected
                + "X4,T2,S2,2026-06-10T16:00:00+00:00,60,completed,4\n"  # new
            },
        )
    )
    assert result.outcome == "loaded"
    (counts,) = result.counts
    assert (counts.inserted, counts.updated, counts.unchanged) == (1, 1, 1)
    kept = snapshot(tmp_path / "kept")["tutoring_sessions.csv"]
    assert "X3," in kept  # a row missing from a file is not a deletion

    deleted = load(
        write_files(
            tmp_path / "delete",
            {"tutoring_sessions.csv": "external_id,deleted\nX3,true\nX404,true\n"},
        )
    )
    assert deleted.outcome == "loaded", deleted.problems
    assert deleted.counts[0].deleted == 1
    after = snapshot(tmp_path / "after")["tutoring_sessions.csv"]
    assert "X3," not in after and "X4," in after
    assert "X2,T1,S3,2026-06-02T15:00:00.000000+00:00,45,completed,3" in after


def test_the_kept_daily_counts_follow_the_days_a_load_touched(org, tmp_path):
    load(
        write_files(
            tmp_path / "moved",
            {
                "tutoring_sessions.csv": SESSIONS_HEADER
                + "X1,T1,S1,2026-06-05T15:00:00+00:00,60,completed,5\n"  # moved from 1 June
            },
        )
    )
    with connect() as conn:
        kept = conn.execute(
            select(SessionDay.day, SessionDay.sessions).order_by(SessionDay.day)
        ).all()
    assert [(d, n) for d, n in kept] == [
        (date(2026, 6, 2), 1),
        (date(2026, 6, 3), 1),
        (date(2026, 6, 5), 1),
    ]
    with connect() as conn:
        newest = data_as_of(conn=conn).set_index("source")["newest"]["tutoring_sessions"]
    assert newest == pd.Timestamp("2026-06-05T15:00:00Z")


LOANS_HEADER = (
    "external_id,application_id,customer_id,disbursed_on,principal,annual_rate,term_months,"
    "status,closed_on\n"
)
REPAYMENTS_HEADER = "external_id,loan_id,due_on,amount_due,paid_on,amount_paid,days_past_due\n"


def _loan_book(region_ids=None):  # type: ignore[no-untyped-def]
    with connect() as conn:
        return active_loan_arrears(conn=conn, region_ids=region_ids).iloc[0].tolist()


def test_the_kept_loan_book_follows_loans_and_instalments_a_load_writes(org, tmp_path):
    """The home page's loan book is kept, not counted from every loan: a load that writes
    loans or instalments (and no day of a daily count) recounts it."""
    assert _loan_book() == [0, 0.0, 0]
    lent = load(
        write_files(
            tmp_path / "lent",
            {
                "credit_applications.csv": (
                    "external_id,customer_id,product_id,applied_at,amount,term_months,purpose,"
                    "channel,status\n"
                    "A2,C1,P1,2024-12-20T10:30:00+00:00,1000,12,tuition,web,approved\n"
                ),
                "loans.csv": LOANS_HEADER
                + "L1,A1,C1,2026-03-01,3000,0.089,12,active,\n"
                + "L2,A2,C1,2025-01-01,1000,0.089,12,repaid,2026-01-01\n",
                "repayments.csv": REPAYMENTS_HEADER
                + "L1-1,L1,2026-04-01,262.5,2026-04-01,262.5,0\n"
                + "L1-2,L1,2026-05-01,262.5,,0,46\n",
            },
        )
    )
    assert lent.outcome == "loaded", lent.problems
    with connect() as conn:
        north = conn.execute(text("SELECT id FROM regions WHERE code = 'NORTH'")).scalar_one()
        south = conn.execute(text("SELECT id FROM regions WHERE code = 'SOUTH'")).scalar_one()
    assert _loan_book() == [1, 3000.0, 1]  # the repaid loan is not in the active book
    assert _loan_book([north]) == [1, 3000.0, 1]
    assert _loan_book([south]) == [0, 0.0, 0]

    paid = load(
        write_files(
            tmp_path / "paid",
            {
                "repayments.csv": REPAYMENTS_HEADER
                + "L1-2,L1,2026-05-01,262.5,2026-06-10,262.5,40\n"
            },
        )
    )
    assert paid.outcome == "loaded", paid.problems
    assert _loan_book() == [1, 3000.0, 0]


def test_a_dry_run_counts_everything_and_saves_nothing(org, tmp_path):
    before = snapshot(tmp_path / "before")
    result = load(
        write_files(
            tmp_path / "try",
            {
                "tutoring_sessions.csv": SESSIONS_HEADER
                + "X9,T1,S1,2026-06-07T15:00:00+00:00,60,completed,5\n"
            },
        ),
        dry_run=True,
    )
    assert result.outcome == "checked"
    assert result.counts[0].inserted == 1
    assert snapshot(tmp_path / "after") == before


@pytest.mark.parametrize("role", ["manager", "analyst", "viewer"])
def test_only_admins_load(org, tmp_path, role):
    made = create_test_account(role, (1,))
    actor = Actor(user_id=made.id, display_name=made.display_name, role=role, region_ids=(1,))
    result = load_data(
        actor=actor, request=LoadRequest(files=[(org / "regions.csv", "regions.csv")]), now=NOW
    )
    assert isinstance(result, Refused) and result.denied


def test_every_load_is_an_admins_act_on_record_whatever_its_outcome(org, tmp_path):
    person = admin()
    scoped = Actor(
        user_id=person.user_id, display_name=person.display_name, role="admin", region_ids=(1,)
    )
    result = load(
        write_files(
            tmp_path / "south",
            {
                "students.csv": "external_id,name,region_id,grade,enrolled_on\n"
                "S40,South Kid,R2,7,2025-09-01\n"
            },
        ),
        actor=scoped,
    )
    assert result.outcome == "loaded"  # a region scope plays no part in an import
    load(write_files(tmp_path / "bad", {"students.csv": b""}), actor=person)
    with connect() as conn:
        entries, _ = audit_log.audit_log(conn=conn, action=None, limit=5)
        history = load_history(conn=conn, limit=5)
    actions = entries[entries["action"].str.startswith("data.")]
    assert list(actions["action"])[:2] == ["data.rejected", "data.loaded"]
    assert list(history["outcome"])[:2] == ["rejected", "loaded"]
    assert list(history["by"])[:2] == [person.display_name] * 2
    assert history.iloc[1]["counts"][0]["inserted"] == 1


@pytest.mark.db
def test_the_database_going_away_half_way_leaves_it_as_it_was(postgres_url, use_database, tmp_path):
    from tests.imports.conftest import FILES

    use_database(postgres_url)
    folder = write_files(tmp_path / "org", dict(FILES))
    before = snapshot(tmp_path / "before")

    def cut_the_line(done: int, total: int, step: str) -> None:
        if step.startswith("Writing tutoring_sessions"):
            with get_engine().connect() as other:
                other.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )

    paths = sorted(folder.iterdir())
    result = load_data(
        actor=None,
        request=LoadRequest(files=[(p, p.name) for p in paths]),
        now=NOW,
        progress=cut_the_line,
    )
    assert not isinstance(result, Refused)
    assert result.outcome == "failed"
    assert "the database said" in result.problems[0].reason
    with connect() as conn:
        assert conn.execute(select(Tutor.id)).first() is None
    assert snapshot(tmp_path / "after") == before


def schema_of(table: str) -> tuple[list[str], list[str]]:
    from sqlalchemy import inspect

    with connect() as conn:
        found = inspect(conn)
        indexes = sorted(i["name"] for i in found.get_indexes(table))
        keys = sorted(k["name"] for k in found.get_foreign_keys(table))
    return indexes, keys


@pytest.mark.db
def test_a_large_load_rebuilds_the_indexes_and_keys_it_set_aside(
    postgres_url, use_database, tmp_path, monkeypatch
):
    from data import imports
    from tests.imports.conftest import FILES

    use_database(postgres_url)
    before = schema_of("tutoring_sessions")
    assert len(before[0]) == 5 and len(before[1]) == 2
    monkeypatch.setattr(imports, "BULK_ROWS", 1)  # every load is "large"
    files = dict(FILES)
    files["students.csv"] += "S9,Bad Grade,R1,seventh,2025-09-01\n"
    rejected = load(write_files(tmp_path / "bad", files))
    assert rejected.outcome == "rejected" and schema_of("tutoring_sessions") == before
    assert load(write_files(tmp_path / "org", dict(FILES))).outcome == "loaded"
    assert schema_of("tutoring_sessions") == before
    with connect() as conn, pytest.raises(Exception, match="foreign key"):
        conn.execute(text("UPDATE tutoring_sessions SET tutor_id = -1"))  # the key holds again


@pytest.mark.db
def test_a_bulk_load_tells_the_planner_and_a_small_push_does_not(
    postgres_url, use_database, tmp_path, monkeypatch
):
    import actions.imports
    from tests.imports.conftest import FILES

    def planned_students() -> float:
        with connect() as conn:
            return float(
                conn.execute(
                    text("SELECT reltuples FROM pg_class WHERE relname = 'students'")
                ).scalar_one()
            )

    use_database(postgres_url)
    assert load(write_files(tmp_path / "few", dict(FILES))).outcome == "loaded"
    assert planned_students() == -1  # never analysed: autovacuum's business
    monkeypatch.setattr(actions.imports, "BULK", 1)  # every load is "bulk"
    files = dict(FILES)
    files["students.csv"] += "S9,Nine Students,R1,7,2025-09-01\n"
    assert load(write_files(tmp_path / "more", files)).outcome == "loaded"
    with connect() as conn:
        students = conn.execute(text("SELECT count(*) FROM students")).scalar_one()
    assert planned_students() == students


def test_the_demo_makes_the_round_trip_with_the_same_numbers(request, seeded_url, tmp_path):
    """From each backend into the other (SQLite to PostgreSQL and back): every backend is
    written by the package and read by the load once."""
    other = "sqlite" if seeded_url.startswith("postgresql") else "postgresql"
    empty_url = new_database(
        other, str(tmp_path), lambda: request.getfixturevalue("postgres_server")
    )
    with pointed_at(seeded_url), one_moment() as conn:
        write_package(conn=conn, folder=tmp_path / "package")
        numbers = page_numbers(conn)
    with pointed_at(empty_url):
        result = load(tmp_path / "package")
        assert result.outcome == "loaded", result.problems[:5]
        with one_moment() as conn:
            write_package(conn=conn, folder=tmp_path / "again")
            assert page_numbers(conn) == numbers
    for first in sorted((tmp_path / "package").iterdir()):
        assert first.read_text() == (tmp_path / "again" / first.name).read_text(), first.name


def page_numbers(conn) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What the home page's four sections and the freshness badge show."""
    end = home.home_end(conn=conn)
    shown = {"data as of": data_as_of(conn=conn).to_csv(index=False)}
    for section in home.SECTIONS:
        for name, frame in home.section_frames(
            conn=conn, section=section, end=end, region_ids=None
        ).items():
            shown[f"{section}: {name}"] = frame.to_csv(index=False)
    return shown


def _customer_counts() -> tuple[dict[int, int], dict[int, int]]:
    """The kept customers per region, and a count of the customers themselves."""
    with connect() as conn:
        kept = dict(conn.execute(text("SELECT region_id, customers FROM customer_counts")).all())
        live = conn.execute(
            text("SELECT region_id, count(*) FROM credit_customers GROUP BY region_id")
        ).all()
    return kept, dict(live)


def test_the_kept_customer_counts_follow_the_customers_a_load_writes(org, tmp_path):
    """The portfolio's count of every customer in scope is kept per region: loads that add,
    move or delete customers recount it."""
    kept, live = _customer_counts()
    assert kept == live and sum(kept.values()) == 1
    header = (
        "external_id,name,region_id,birth_year,annual_income,employment,employment_years,"
        "housing,channel\n"
    )
    added = load(
        write_files(
            tmp_path / "added",
            {
                "credit_customers.csv": header
                + "C2,Ana Lima,R2,1992,38000,employed,2,rent,web\n"
                + "C3,Tom Ruiz,R1,1985,51000,employed,9,own,branch\n"
                + "C1,Maria Silva,R2,1990,42000,employed,4.5,rent,web\n"  # moved
            },
        )
    )
    assert added.outcome == "loaded", added.problems
    kept, live = _customer_counts()
    assert kept == live and sorted(kept.values()) == [1, 2]
    gone = load(
        write_files(tmp_path / "gone", {"credit_customers.csv": "external_id,deleted\nC3,true\n"})
    )
    assert gone.outcome == "loaded", gone.problems
    kept, live = _customer_counts()
    assert kept == live and sum(kept.values()) == 2


def test_a_value_beacon_keeps_unique_is_a_row_problem_not_the_databases_words(org, tmp_path):
    """A new tutor with a colleague's e-mail, or two loans of one application, failed at the
    write: "the database said: UNIQUE constraint failed: tutors.email", no file, row or
    column, and --skip-bad-rows could not set them aside."""
    before = snapshot(tmp_path / "before")
    tutors = (
        "external_id,name,email,region_id,subject,hired_on,status,weekly_capacity\n"
        "T3,Grace Hopper,ada@org.test,R1,Maths,2025-02-01,active,10\n"  # T1's e-mail
        "T4,Edsger Dijkstra,ed@org.test,R2,Coding,2025-02-01,active,10\n"
        "T5,Barbara Liskov,ed@org.test,R1,Coding,2025-02-01,active,10\n"  # T4's, in the file
        "T2,Alan Turing,alan@org.test,R2,Coding,2025-01-06,active,14\n"  # T2 keeps its own
    )
    result = load(write_files(tmp_path / "clash", {"tutors.csv": tutors}))
    assert result.outcome == "rejected"
    seen = {(p.row, p.column, p.value, p.reason) for p in result.problems}
    assert seen == {
        (2, "email", "ada@org.test", "belongs to tutors T1 in Beacon already"),
        (3, "email", "ed@org.test", "row 4 has it too"),
        (4, "email", "ed@org.test", "row 3 has it too"),
    }
    assert snapshot(tmp_path / "after") == before
    # Set aside, the other rows load.
    skipped = load(write_files(tmp_path / "skip", {"tutors.csv": tutors}), skip_bad_rows=True)
    assert skipped.outcome == "loaded"
    (counts,) = skipped.counts
    assert (counts.inserted, counts.updated, counts.rejected) == (0, 1, 3)
    # An e-mail freed by a row above may be taken; by a row below, not (rows are written in
    # file order, each checked by the database as it is written).
    header = "external_id,name,email,region_id,subject,hired_on,status,weekly_capacity\n"
    frees = "T1,Ada Lovelace,ada.l@org.test,R1,Maths,2024-09-01,active,20\n"
    takes = "T3,Grace Hopper,ada@org.test,R1,Maths,2025-02-01,active,10\n"
    late = load(write_files(tmp_path / "late", {"tutors.csv": header + takes + frees}))
    assert [(p.row, p.column) for p in late.problems] == [(2, "email")]
    early = load(write_files(tmp_path / "early", {"tutors.csv": header + frees + takes}))
    assert early.outcome == "loaded", early.problems
    # A reference kept unique: one loan per application, in the file and in Beacon.
    two = LOANS_HEADER + "L7,A1,C1,2026-03-01,3000,0.089,12,active,\n"
    two += "L8,A1,C1,2026-03-02,3000,0.089,12,active,\n"
    twice = load(write_files(tmp_path / "loans", {"loans.csv": two}))
    assert [(p.row, p.column, p.reason) for p in twice.problems] == [
        (2, "application_id", "row 3 has it too"),
        (3, "application_id", "row 2 has it too"),
    ]
    assert load(write_files(tmp_path / "one", {"loans.csv": two.rsplit("L8", 1)[0]})).outcome == (
        "loaded"
    )
    again = load(write_files(tmp_path / "again", {"loans.csv": LOANS_HEADER + two.split("\n")[2]}))
    assert [p.reason for p in again.problems] == ["belongs to loans L7 in Beacon already"]


SCHEDULES_HEADER = (
    "external_id,title,description,host_tutor_id,host_email,region_id,room_id,starts_at,"
    "ends_at,status,focus\n"
)


def test_a_double_booking_is_a_row_problem_in_the_file_and_against_beacon(org, tmp_path):
    """Sessions of one host or one room at the same time loaded on SQLite and failed on
    PostgreSQL in the database's words; the booking page refuses them. Cancelled ones and a
    session that only touches another's end are not clashes."""
    rooms = "external_id,name,region_id,capacity\nROOM-1,Room 1,R1,12\nROOM-2,Room 2,R1,12\n"
    first = SCHEDULES_HEADER + "B1,Algebra,,T1,,R1,ROOM-1,2026-12-08T15:00:00+00:00,"
    first += "2026-12-08T16:00:00+00:00,scheduled,\n"
    booked = load(write_files(tmp_path / "first", {"rooms.csv": rooms, "schedules.csv": first}))
    assert booked.outcome == "loaded", booked.problems
    before = snapshot(tmp_path / "before")
    rows = [
        "B2,Geometry,,T2,,R1,ROOM-1,2026-12-08T15:30:00+00:00,2026-12-08T16:30:00+00:00,scheduled,",
        "B3,Calculus,,T1,,R1,ROOM-2,2026-12-08T15:45:00+00:00,2026-12-08T17:00:00+00:00,scheduled,",
        "B4,Stats,,T2,,R1,ROOM-2,2026-12-09T10:00:00+00:00,2026-12-09T11:00:00+00:00,scheduled,",
        "B5,Stats II,,T2,,R1,,2026-12-09T10:30:00+00:00,2026-12-09T11:30:00+00:00,scheduled,",
        "B6,Later,,T1,,R1,ROOM-1,2026-12-08T16:00:00+00:00,2026-12-08T17:00:00+00:00,cancelled,",
        "B7,After,,T1,,R1,ROOM-2,2026-12-09T11:00:00+00:00,2026-12-09T11:15:00+00:00,scheduled,",
    ]
    result = load(
        write_files(
            tmp_path / "clash", {"schedules.csv": SCHEDULES_HEADER + "\n".join(rows) + "\n"}
        )
    )
    assert result.outcome == "rejected"
    assert sorted((p.row, p.column, p.reason) for p in result.problems) == [
        (2, "room_id", "overlaps session B1 in Beacon: the room is booked then"),
        (3, "host_tutor_id", "overlaps session B1 in Beacon: the tutor is booked then"),
        (4, "host_tutor_id", "overlaps another session of the file: the same tutor at once"),
        (5, "host_tutor_id", "overlaps another session of the file: the same tutor at once"),
    ]
    assert result.counts[0].rejected == 4  # rows, not problems
    assert snapshot(tmp_path / "after") == before
    # Moving B1 out of the way frees its slot for the rows after it (rows are written in
    # file order, each checked as it is written); deleting it does not (deletions come last),
    # nor does moving it further down.
    moved = first.replace("2026-12-08T15:00:00", "2026-12-08T12:00:00").replace(
        "2026-12-08T16:00:00", "2026-12-08T13:00:00"
    )
    taking = "\n".join(rows[:3] + rows[5:]) + "\n"
    deleting = SCHEDULES_HEADER.rstrip() + ",deleted\n"
    deleting += "".join(f"{line},\n" for line in taking.splitlines()) + "B1" + "," * 10 + ",true\n"
    for case, text_ in (
        ("deleted", deleting),
        ("moved after", SCHEDULES_HEADER + taking + moved.splitlines()[1] + "\n"),
    ):
        refused = load(write_files(tmp_path / case.replace(" ", "-"), {"schedules.csv": text_}))
        assert refused.outcome == "rejected", case
        assert {p.row for p in refused.problems} == {2, 3}, (case, refused.problems)
    again = load(write_files(tmp_path / "moved", {"schedules.csv": moved + taking}))
    assert again.outcome == "loaded", again.problems


def test_a_session_in_another_regions_room_or_after_its_host_left_is_a_row_problem(org, tmp_path):
    rooms = "external_id,name,region_id,capacity\nROOM-1,Room 1,R1,12\n"
    tutors = "external_id,name,email,region_id,subject,hired_on,left_on,status,weekly_capacity\n"
    tutors += "T9,Gone Tutor,gone@org.test,R1,Maths,2024-01-08,2025-09-08,left,10\n"
    sessions = SCHEDULES_HEADER + "\n".join(
        [
            "B1,North,,T1,,R2,ROOM-1,2026-12-08T15:00:00+00:00,2026-12-08T16:00:00+00:00,scheduled,",
            "B2,Late,,T9,,R1,,2026-12-15T15:00:00+00:00,2026-12-15T16:00:00+00:00,scheduled,",
            "B3,Last day,,T9,,R1,,2025-09-08T09:00:00+00:00,2025-09-08T10:00:00+00:00,completed,",
        ]
    )
    files = {"rooms.csv": rooms, "tutors.csv": tutors, "schedules.csv": sessions + "\n"}
    result = load(write_files(tmp_path / "odd", files))
    assert [(p.row, p.column, p.reason) for p in result.problems] == [
        (2, "room_id", "is a room in North, not in the session's region"),
        (3, "host_tutor_id", "left on 2025-09-08, before the session"),
    ]


def test_a_loan_its_application_contradicts_is_a_row_problem(org, tmp_path):
    """A loan on a declined or submitted application, on another customer's, or paid out
    before it was applied for had loaded (an operator's walk found 17 on declined ones)."""
    customers = "external_id,name,region_id,birth_year,annual_income,employment,"
    customers += (
        "employment_years,housing,channel\nC2,Ola Nordmann,R1,1985,39000,employed,3,rent,web\n"
    )
    applications = "external_id,customer_id,product_id,applied_at,amount,term_months,purpose,"
    applications += "channel,status\n" + "\n".join(
        f"{key},C1,P1,2026-05-28T10:30:00+00:00,3000,12,tuition,web,{status}"
        for key, status in (
            ("A2", "approved"),
            ("A3", "declined"),
            ("A4", "approved"),
            ("A5", "submitted"),
        )
    )
    loans = "external_id,application_id,customer_id,disbursed_on,principal,annual_rate,"
    loans += "term_months,status,closed_on\n" + "\n".join(
        [
            "L1,A3,C1,2026-06-01,3000,0.089,12,active,",
            "L2,A2,C2,2026-06-01,3000,0.089,12,active,",
            "L3,A4,C1,2026-05-01,3000,0.089,12,active,",
            "L4,A5,C1,2026-06-01,3000,0.089,12,active,",
        ]
    )
    files = {
        "credit_customers.csv": customers,
        "credit_applications.csv": applications + "\n",
        "loans.csv": loans + "\n",
    }
    result = load(write_files(tmp_path / "loans", files))
    assert result.outcome == "rejected"
    assert [(p.file, p.row, p.column, p.reason) for p in result.problems] == [
        ("loans.csv", 2, "application_id", PAID_ON_UNAPPROVED.format("declined")),
        ("loans.csv", 5, "application_id", PAID_ON_UNAPPROVED.format("submitted")),
        ("loans.csv", 3, "customer_id", "is not the application's customer (C1)"),
        ("loans.csv", 4, "disbursed_on", "is before the application, made on 2026-05-28"),
    ]


PAID_ON_UNAPPROVED = "is an application {}, not approved: a loan is paid out on an approved one"


def test_deleting_a_record_others_still_refer_to_is_a_row_problem(org, tmp_path):
    """A tutor with sessions, deleted as documented, had failed the whole load with the
    database's words ("violates foreign key constraint ..."), no file, row or hint."""
    gone = load(write_files(tmp_path / "tutor", {"tutors.csv": "external_id,deleted\nT1,true\n"}))
    assert gone.outcome == "rejected"
    assert [(p.file, p.row, p.column, p.value, p.reason) for p in gone.problems] == [
        (
            "tutors.csv",
            2,
            "deleted",
            "T1",
            "T1 still has 2 tutoring sessions: delete or move those first (in this load or an "
            "earlier one)",
        )
    ]
    assert "T1," in snapshot(tmp_path / "kept")["tutors.csv"]
    # Its sessions deleted in the same load, first: the tutor goes too.
    both = {
        "tutoring_sessions.csv": "external_id,deleted\nX1,true\nX2,true\n",
        "tutors.csv": "external_id,deleted\nT1,true\n",
    }
    done = load(write_files(tmp_path / "both", both))
    assert done.outcome == "loaded", done.problems
    assert "T1," not in snapshot(tmp_path / "after")["tutors.csv"]


def test_a_load_whose_process_was_killed_is_failed_by_the_next_one(org, tmp_path):
    """`kill -9` of a `beacon load` left its history entry "running" forever."""
    import socket
    import subprocess
    import sys

    from sqlalchemy import insert

    from data.engine import transaction
    from data.models import DataLoad

    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                           capture_output=True, text=True)  # fmt: skip
    host = socket.gethostname()
    runners = {"killed": f"{host}:{ended.stdout.strip()}", "alive": f"{host}:{os.getpid()}"}
    ids = {}
    with transaction() as conn:
        for name, runner in runners.items():
            ids[name] = conn.execute(
                insert(DataLoad)
                .values(
                    started_at=NOW,
                    by="command",
                    source="command",
                    dry_run=False,
                    skip_bad_rows=False,
                    files=["tutors.csv"],
                    counts=[],
                    problems=0,
                    outcome="running",
                    runner=runner,
                )  # fmt: skip
                .returning(DataLoad.id)
            ).scalar_one()
    load(write_files(tmp_path / "next", {"regions.csv": FILES_REGIONS}))
    with connect() as conn:
        history = load_history(conn=conn).set_index("id")
    assert history.loc[ids["killed"], "outcome"] == "failed"
    assert history.loc[ids["killed"], "detail"].startswith("interrupted: the process loading it")
    assert history.loc[ids["alive"], "outcome"] == "running"  # still at work, for all we know
    # A finished load's time is when it finished, not when it started (every load took 0 s).
    newest = history.iloc[0]
    assert newest["outcome"] == "loaded" and newest["finished_at"] > newest["started_at"]


FILES_REGIONS = "external_id,code,name\nR1,NORTH,North\n"


def test_a_loan_paid_out_the_evening_it_was_applied_for_is_on_the_same_local_day(
    org, tmp_path, monkeypatch
):
    """The day paid out and the application's are the business's days: in New York, 21:00
    on 1 June is 2 June in UTC, and the loan had been "before the application"."""
    from settings import get_settings

    monkeypatch.setenv("BEACON_TIMEZONE", "America/New_York")
    get_settings.cache_clear()
    try:
        applications = "external_id,customer_id,product_id,applied_at,amount,term_months,"
        applications += "purpose,channel,status\n"
        applications += "A9,C1,P1,2026-06-01T21:00:00-04:00,3000,12,tuition,web,approved\n"
        loans = "external_id,application_id,customer_id,disbursed_on,principal,annual_rate,"
        loans += "term_months,status,closed_on\nL9,A9,C1,2026-06-01,3000,0.089,12,active,\n"
        files = {"credit_applications.csv": applications, "loans.csv": loans}
        result = load(write_files(tmp_path / "evening", files))
        assert result.outcome == "loaded", result.problems
        earlier = {
            "credit_applications.csv": applications.replace("A9,", "A10,"),
            "loans.csv": loans.replace("L9,A9,C1,2026-06-01", "L10,A10,C1,2026-05-31"),
        }
        refused = load(write_files(tmp_path / "early", earlier))
        assert [(p.column, p.reason) for p in refused.problems] == [
            ("disbursed_on", "is before the application, made on 2026-06-01")
        ]
    finally:
        get_settings.cache_clear()
