"""Every model round-trips through SQLite and PostgreSQL, and the constraints hold."""

import pytest
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from data.engine import engine_for
from data.models import Base, Region, Role, Student, Tutor, TutoringSession, User
from tests.data.samples import T0, rows_through, sample_rows


def insert(engine, rows) -> None:
    """Flush row by row: the samples are in foreign-key order, the unit of work is not."""
    with Session(engine) as session, session.begin():
        for row in rows:
            session.add(row)
            session.flush()


def column_values(obj) -> dict:
    return {attr.key: getattr(obj, attr.key) for attr in inspect(obj).mapper.column_attrs}


def test_sample_rows_cover_every_mapped_table():
    mapped = {row.__table__.name for row in sample_rows()}
    association_tables = {"user_regions", "schedule_attendees"}
    from_migrations = {"roles"}
    assert mapped | association_tables | from_migrations == set(Base.metadata.tables)


def test_migrations_provide_exactly_the_four_roles(empty_url):
    engine = create_engine(empty_url)
    with engine.connect() as conn:
        roles = conn.execute(select(Role.id, Role.name).order_by(Role.id)).all()
    assert [tuple(r) for r in roles] == [
        (1, "admin"),
        (2, "manager"),
        (3, "analyst"),
        (4, "viewer"),
    ]
    engine.dispose()


def test_every_model_round_trips(empty_url):
    engine = create_engine(empty_url)
    expected = [(type(row), column_values(row)) for row in sample_rows()]
    insert(engine, sample_rows())
    with Session(engine) as session:
        for model, values in expected:
            key = tuple(values[c.key] for c in inspect(model).primary_key)
            loaded = session.get(model, key if len(key) > 1 else key[0])
            assert loaded is not None, model.__name__
            assert column_values(loaded) == values, model.__name__
    engine.dispose()


def test_relationships_and_association_tables(empty_url):
    engine = create_engine(empty_url)
    insert(engine, rows_through(User))
    with Session(engine) as session, session.begin():
        user = session.get(User, 1)
        user.regions.append(session.get(Region, 1))
    with Session(engine) as session:
        user = session.get(User, 1)
        assert [r.code for r in user.regions] == ["N"]
        assert user.role.name == "manager"
    engine.dispose()


def test_timestamps_come_back_timezone_aware_in_utc(empty_url):
    engine = create_engine(empty_url)
    insert(engine, rows_through(TutoringSession))
    with Session(engine) as session:
        start = session.scalars(select(TutoringSession.scheduled_start)).one()
    assert start == T0
    assert start.utcoffset().total_seconds() == 0
    engine.dispose()


def test_naive_datetimes_are_refused(empty_url):
    engine = create_engine(empty_url)
    insert(engine, rows_through(Student))
    with pytest.raises(StatementError, match="timezone-aware"), Session(engine) as session:
        session.add(
            TutoringSession(
                tutor_id=1,
                student_id=1,
                duration_minutes=60,
                scheduled_start=T0.replace(tzinfo=None),
                status="completed",
            )
        )
        session.commit()
    engine.dispose()


@pytest.mark.parametrize(
    ("column", "value"),
    [("status", "vanished"), ("rating", 9)],
)
def test_check_constraints_reject_values_outside_the_vocabulary(empty_url, column, value):
    engine = create_engine(empty_url)
    insert(engine, rows_through(Student))
    values = {
        "tutor_id": 1,
        "student_id": 1,
        "scheduled_start": T0,
        "duration_minutes": 60,
        "status": "completed",
        "rating": 4,
    } | {column: value}
    with pytest.raises(IntegrityError), Session(engine) as session:
        session.add(TutoringSession(**values))
        session.commit()
    engine.dispose()


def test_foreign_keys_are_enforced_on_both_backends(empty_url):
    engine = engine_for(empty_url)  # the app's engine: SQLite gets PRAGMA foreign_keys=ON
    with pytest.raises(IntegrityError), Session(engine) as session:
        session.add(Student(name="Orphan", region_id=999, grade=3, enrolled_on=T0.date()))
        session.commit()
    with pytest.raises(IntegrityError), Session(engine) as session:
        session.add(
            Tutor(
                name="x",
                email="x@x",
                region_id=999,
                subject="Maths",
                hired_on=T0.date(),
                status="active",
                weekly_capacity=3,
            )
        )
        session.commit()
