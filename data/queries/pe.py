"""PE programme queries behind the dashboard widgets.

Every function takes a `PEFilter` (region scope, school, grade, class, date range)
and aggregates in the database: per day, per class, per grade or per 5-point score
bin, so a widget never pulls raw history. Dates are inclusive at both ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import (
    Connection,
    Integer,
    Select,
    SQLColumnExpression,
    case,
    cast,
    distinct,
    func,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

from data.cache import cached
from data.models import (
    Attendance,
    Enrollment,
    Equipment,
    EquipmentUsage,
    LessonPlan,
    Measurement,
    PEClass,
    SafetyIncident,
    School,
    SkillAssessment,
    Student,
)
from data.queries.sql import read_frame

SCORE_BIN = 5  # skill scores are binned in 5-point steps: benchmarks sit on bin edges


@dataclass(frozen=True)
class PEFilter:
    """What every PE widget follows: the user's region scope and the dashboard filters."""

    start: date
    end: date
    region_ids: Sequence[int] | None = None  # None: every region
    school_id: int | None = None
    grade: int | None = None
    class_id: int | None = None


def _classes(f: PEFilter) -> list[ColumnElement[bool]]:
    """Conditions on PEClass and School (both must be joined) for the filter's scope."""
    conditions: list[ColumnElement[bool]] = []
    if f.region_ids is not None:
        conditions.append(School.region_id.in_(list(f.region_ids)))
    if f.school_id is not None:
        conditions.append(PEClass.school_id == f.school_id)
    if f.grade is not None:
        conditions.append(PEClass.grade == f.grade)
    if f.class_id is not None:
        conditions.append(PEClass.id == f.class_id)
    return conditions


def _scoped(statement: Select, class_id: SQLColumnExpression[int], f: PEFilter) -> Select:
    """Join a statement reading `class_id`'s table to its class and school, inside the filter.

    A table the statement already joined is not added twice: SQLAlchemy leaves out FROMs
    a join covers."""
    statement = statement.select_from(class_id.table)  # type: ignore[attr-defined]
    if class_id is not PEClass.id:
        statement = statement.join(PEClass, PEClass.id == class_id)
    return statement.join(School, School.id == PEClass.school_id).where(*_classes(f))


@cached("pe")
def filter_options(*, conn: Connection, region_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Every class the scope may see, for the dashboard's filter menus.

    Columns: class_id, class_name, grade, school_id, school_name, region_id.
    """
    stmt = _scoped(
        select(
            PEClass.id.label("class_id"),
            PEClass.name.label("class_name"),
            PEClass.grade,
            School.id.label("school_id"),
            School.name.label("school_name"),
            School.region_id,
        ),
        PEClass.id,
        PEFilter(date.min, date.max, region_ids),
    ).order_by(School.name, PEClass.grade, PEClass.name)
    return read_frame(conn, stmt)


def date_bounds(*, conn: Connection) -> tuple[date, date] | None:
    """The first and last day with attendance marks, or None before any PE data exists."""
    first, last = conn.execute(
        select(func.min(Attendance.session_date), func.max(Attendance.session_date))
    ).one()
    return (first, last) if first is not None else None


@cached("pe")
def attendance_daily(*, conn: Connection, scope: PEFilter) -> pd.DataFrame:
    """Attendance marks per school day. Columns: day (datetime64), expected, present (int)."""
    stmt = _scoped(
        select(
            Attendance.session_date.label("day"),
            func.count().label("expected"),
            func.sum(case((Attendance.present, 1), else_=0)).label("present"),
        ),
        Attendance.class_id,
        scope,
    ).where(Attendance.session_date.between(scope.start, scope.end))
    stmt = stmt.group_by(Attendance.session_date).order_by(Attendance.session_date)
    return read_frame(conn, stmt, dates=["day"])


@cached("pe")
def active_students(
    *, conn: Connection, scope: PEFilter, window_days: int = 30, share: float = 0.75
) -> pd.DataFrame:
    """Enrolled students per grade, and how many were active (present at `share` or more of
    their lessons) in the last `window_days` to the end date and in the window before.

    Columns: grade, enrolled, active_recent, active_before, marked_recent (int: students
    with any lesson in the last window; none means no lessons were held).
    """
    recent = scope.end - timedelta(days=window_days - 1)
    before = recent - timedelta(days=window_days)

    def active(since: date, until: date) -> Select:
        per_student = (
            _scoped(
                select(
                    PEClass.grade,
                    func.sum(case((Attendance.present, 1), else_=0)).label("present"),
                    func.count().label("lessons"),
                ),
                Attendance.class_id,
                scope,
            )
            .where(Attendance.session_date.between(since, until))
            .group_by(PEClass.grade, Attendance.student_id)
            .subquery()
        )
        is_active = per_student.c.present >= share * per_student.c.lessons
        return select(
            per_student.c.grade,
            func.sum(case((is_active, 1), else_=0)).label("n"),
            func.count().label("marked"),
        ).group_by(per_student.c.grade)

    enrolled = read_frame(
        conn,
        _scoped(
            select(PEClass.grade, func.count(distinct(Enrollment.student_id)).label("enrolled")),
            Enrollment.class_id,
            scope,
        ).group_by(PEClass.grade),
    )
    now = read_frame(conn, active(recent, scope.end))
    then = read_frame(conn, active(before, recent - timedelta(days=1)))
    now = now.rename(columns={"n": "active_recent", "marked": "marked_recent"})
    out = enrolled.merge(now, on="grade", how="left")
    then = then.drop(columns="marked").rename(columns={"n": "active_before"})
    out = out.merge(then, on="grade", how="left")
    counts = ["active_recent", "active_before", "marked_recent"]
    out[counts] = out[counts].fillna(0).astype(int)
    return out.sort_values("grade").reset_index(drop=True)


def lesson_plans(*, conn: Connection, scope: PEFilter, ahead_days: int = 28) -> pd.DataFrame:
    """Lesson plans in the date range and the `ahead_days` after it.

    Columns: id, class_id, class_name, grade, school_name, title, planned_on (datetime64),
    focus_skill, activities, equipment_needed.
    """
    stmt = _scoped(
        select(
            LessonPlan.id,
            LessonPlan.class_id,
            PEClass.name.label("class_name"),
            PEClass.grade,
            School.name.label("school_name"),
            LessonPlan.title,
            LessonPlan.planned_on,
            LessonPlan.focus_skill,
            LessonPlan.activities,
            LessonPlan.equipment_needed,
        ),
        LessonPlan.class_id,
        scope,
    ).where(LessonPlan.planned_on.between(scope.start, scope.end + timedelta(days=ahead_days)))
    return read_frame(conn, stmt.order_by(LessonPlan.planned_on), dates=["planned_on"])


def _measurements(conn: Connection, scope: PEFilter, category: str) -> pd.DataFrame:
    stmt = _scoped(
        select(
            PEClass.grade,
            Measurement.metric,
            Measurement.unit,
            Measurement.measured_on,
            func.avg(Measurement.value).label("mean"),
            func.count().label("n"),
            func.sum(case((Measurement.flagged, 1), else_=0)).label("flagged"),
        )
        .select_from(Measurement)
        .join(Enrollment, Enrollment.student_id == Measurement.student_id),
        Enrollment.class_id,
        scope,
    ).where(
        Measurement.category == category,
        Measurement.measured_on.between(scope.start, scope.end),
    )
    stmt = stmt.group_by(
        PEClass.grade, Measurement.metric, Measurement.unit, Measurement.measured_on
    ).order_by(Measurement.measured_on)
    return read_frame(conn, stmt, dates=["measured_on"])


@cached("pe")
def fitness_by_grade(*, conn: Connection, scope: PEFilter) -> pd.DataFrame:
    """Fitness test means per grade, metric and test day.

    Columns: grade, metric, unit, measured_on (datetime64), mean (float), n, flagged (int).
    """
    return _measurements(conn, scope, "fitness")


@cached("pe")
def health_readings(*, conn: Connection, scope: PEFilter) -> pd.DataFrame:
    """Health readings (BMI, resting heart rate) per grade, metric and day, with how many
    readings were flagged for follow-up. Same columns as `fitness_by_grade`."""
    return _measurements(conn, scope, "health")


@cached("pe")
def class_skill_means(*, conn: Connection, scope: PEFilter) -> pd.DataFrame:
    """Mean skill score per class, skill and assessment day, earliest day first (then class
    and skill).

    Columns: class_id, class_name, grade, school_name, skill, assessed_on (datetime64),
    mean (float), n (int).
    """
    # Aggregate the assessments on their own keys, then name them: grouped by the names too,
    # PostgreSQL sorted all 150,000 rows of a 120-day window at xlarge (on disk, 230 ms).
    means = (
        _scoped(
            select(
                SkillAssessment.class_id,
                SkillAssessment.skill,
                SkillAssessment.assessed_on,
                func.avg(SkillAssessment.score).label("mean"),
                func.count().label("n"),
            ),
            SkillAssessment.class_id,
            scope,
        )
        .where(SkillAssessment.assessed_on.between(scope.start, scope.end))
        .group_by(SkillAssessment.class_id, SkillAssessment.skill, SkillAssessment.assessed_on)
        .subquery()
    )
    stmt = (
        select(
            means.c.class_id,
            PEClass.name.label("class_name"),
            PEClass.grade,
            School.name.label("school_name"),
            means.c.skill,
            means.c.assessed_on,
            means.c.mean,
            means.c.n,
        )
        .select_from(means)
        .join(PEClass, PEClass.id == means.c.class_id)
        .join(School, School.id == PEClass.school_id)
        .order_by(means.c.assessed_on, means.c.class_id, means.c.skill)
    )
    return read_frame(conn, stmt, dates=["assessed_on"])


def _assessment_days(conn: Connection, scope: PEFilter) -> tuple[date, date] | None:
    stmt = _scoped(
        select(func.min(SkillAssessment.assessed_on), func.max(SkillAssessment.assessed_on)),
        SkillAssessment.class_id,
        scope,
    ).where(SkillAssessment.assessed_on.between(scope.start, scope.end))
    first, last = conn.execute(stmt).one()
    return (first, last) if first is not None else None


@cached("pe")
def student_progress(*, conn: Connection, scope: PEFilter) -> pd.DataFrame:
    """Each student's mean score over all skills at the first and at the last assessment
    in the range.

    Columns: student_id, student_name, class_id, class_name, school_name, grade, first_on, last_on
    (datetime64), first_score, last_score (float; NaN when not assessed that day).
    """
    days = _assessment_days(conn, scope)
    if days is None:
        columns = ["student_id", "student_name", "class_id", "class_name", "school_name", "grade"]
        return pd.DataFrame(columns=[*columns, "first_on", "last_on", "first_score", "last_score"])
    first, last = days
    on = SkillAssessment.assessed_on
    stmt = _scoped(
        select(
            SkillAssessment.student_id,
            Student.name.label("student_name"),
            SkillAssessment.class_id,
            PEClass.name.label("class_name"),
            School.name.label("school_name"),
            PEClass.grade,
            func.avg(case((on == first, SkillAssessment.score))).label("first_score"),
            func.avg(case((on == last, SkillAssessment.score))).label("last_score"),
        ).join(Student, Student.id == SkillAssessment.student_id),
        SkillAssessment.class_id,
        scope,
    ).where(on.in_([first, last]))
    stmt = stmt.group_by(
        SkillAssessment.student_id,
        Student.name,
        SkillAssessment.class_id,
        PEClass.name,
        School.name,
        PEClass.grade,
    )
    frame = read_frame(conn, stmt)
    frame.insert(6, "first_on", pd.Timestamp(first))
    frame.insert(7, "last_on", pd.Timestamp(last))
    return frame


def _floor_div(
    column: SQLColumnExpression[float], step: int, conn: Connection
) -> ColumnElement[int]:
    """floor(column / step) on both backends (PostgreSQL rounds a cast, SQLite truncates)."""
    if conn.dialect.name == "sqlite":
        return cast(column / step, Integer)
    return cast(func.floor(column / step), Integer)


@cached("pe")
def skill_distribution(*, conn: Connection, scope: PEFilter) -> pd.DataFrame:
    """Scores at the latest assessment in the range, counted per grade, skill and 5-point bin.

    Columns: grade, skill, bin (int: scores from bin*5 up to bin*5+5), n (int),
    total (float: the sum of the scores, so means stay exact), assessed_on (datetime64).
    """
    days = _assessment_days(conn, scope)
    if days is None:
        return pd.DataFrame(columns=["grade", "skill", "bin", "n", "total", "assessed_on"])
    score_bin = _floor_div(SkillAssessment.score, SCORE_BIN, conn).label("bin")
    stmt = _scoped(
        select(
            PEClass.grade,
            SkillAssessment.skill,
            score_bin,
            func.count().label("n"),
            func.sum(SkillAssessment.score).label("total"),
        ),
        SkillAssessment.class_id,
        scope,
    ).where(SkillAssessment.assessed_on == days[1])
    frame = read_frame(conn, stmt.group_by(PEClass.grade, SkillAssessment.skill, score_bin))
    frame["assessed_on"] = pd.Timestamp(days[1])
    return frame


@cached("pe")
def class_exposure(*, conn: Connection, scope: PEFilter) -> pd.DataFrame:
    """Per class: lessons held, students enrolled and students with a flagged health reading.

    Columns: class_id, class_name, grade, school_name, sessions, students,
    flagged_students (int).
    """
    classes = read_frame(
        conn,
        _scoped(
            select(
                PEClass.id.label("class_id"),
                PEClass.name.label("class_name"),
                PEClass.grade,
                School.name.label("school_name"),
                func.count(distinct(Enrollment.student_id)).label("students"),
            ),
            Enrollment.class_id,
            scope,
        ).group_by(PEClass.id, PEClass.name, PEClass.grade, School.name),
    )
    sessions = read_frame(
        conn,
        _scoped(
            select(
                Attendance.class_id, func.count(distinct(Attendance.session_date)).label("sessions")
            ),
            Attendance.class_id,
            scope,
        )
        .where(Attendance.session_date.between(scope.start, scope.end))
        .group_by(Attendance.class_id),
    )
    flagged = read_frame(
        conn,
        _scoped(
            select(
                Enrollment.class_id,
                func.count(distinct(Measurement.student_id)).label("flagged_students"),
            )
            .select_from(Measurement)
            .join(Enrollment, Enrollment.student_id == Measurement.student_id),
            Enrollment.class_id,
            scope,
        )
        .where(Measurement.flagged, Measurement.measured_on.between(scope.start, scope.end))
        .group_by(Enrollment.class_id),
    )
    out = classes.merge(sessions, on="class_id", how="left").merge(
        flagged, on="class_id", how="left"
    )
    out[["sessions", "flagged_students"]] = (
        out[["sessions", "flagged_students"]].fillna(0).astype(int)
    )
    return out


@cached("pe")
def incident_counts(*, conn: Connection, scope: PEFilter) -> pd.DataFrame:
    """Safety incidents per class, activity and severity. Columns: class_id, activity,
    severity (str), n (int)."""
    stmt = _scoped(
        select(
            SafetyIncident.class_id,
            SafetyIncident.activity,
            SafetyIncident.severity,
            func.count().label("n"),
        ),
        SafetyIncident.class_id,
        scope,
    ).where(SafetyIncident.occurred_on.between(scope.start, scope.end))
    return read_frame(
        conn,
        stmt.group_by(SafetyIncident.class_id, SafetyIncident.activity, SafetyIncident.severity),
    )


def incident_log(
    *, conn: Connection, scope: PEFilter, offset: int = 0, limit: int = 10
) -> pd.DataFrame:
    """One page of incidents, newest first; no student names (the log is shared widely).

    Columns: occurred_on (datetime64), school_name, class_name, activity, severity,
    description, total (int: incidents under the filter, on every row).
    """
    base = _scoped(select(SafetyIncident.id), SafetyIncident.class_id, scope).where(
        SafetyIncident.occurred_on.between(scope.start, scope.end)
    )
    total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    stmt = _scoped(
        select(
            SafetyIncident.occurred_on,
            School.name.label("school_name"),
            PEClass.name.label("class_name"),
            SafetyIncident.activity,
            SafetyIncident.severity,
            SafetyIncident.description,
        ),
        SafetyIncident.class_id,
        scope,
    ).where(SafetyIncident.occurred_on.between(scope.start, scope.end))
    stmt = stmt.order_by(SafetyIncident.occurred_on.desc(), SafetyIncident.id.desc())
    frame = read_frame(conn, stmt.offset(offset).limit(limit), dates=["occurred_on"])
    frame["total"] = total
    return frame


@cached("pe")
def class_roster_skills(*, conn: Connection, scope: PEFilter) -> pd.DataFrame:
    """The latest score of each student of `scope.class_id` in each skill, up to the end date.

    Columns: student_id, student_name, skill, score (float), class_name, school_name.
    Empty without a class.
    """
    if scope.class_id is None:
        return pd.DataFrame(
            columns=["student_id", "student_name", "skill", "score", "class_name", "school_name"]
        )
    latest = _scoped(
        select(func.max(SkillAssessment.assessed_on)),
        SkillAssessment.class_id,
        scope,
    ).where(SkillAssessment.assessed_on <= scope.end)
    stmt = _scoped(
        select(
            SkillAssessment.student_id,
            Student.name.label("student_name"),
            SkillAssessment.skill,
            SkillAssessment.score,
            PEClass.name.label("class_name"),
            School.name.label("school_name"),
        ).join(Student, Student.id == SkillAssessment.student_id),
        SkillAssessment.class_id,
        scope,
    ).where(SkillAssessment.assessed_on == latest.scalar_subquery())
    return read_frame(conn, stmt.order_by(Student.name, SkillAssessment.skill))


@cached("pe")
def equipment_use(*, conn: Connection, scope: PEFilter) -> pd.DataFrame:
    """Each item of the schools in scope with its use in the date range (by the classes in
    scope).

    Columns: equipment_id, school_name, name, category, quantity, condition,
    purchased_on (datetime64), sessions_used, full_sessions (lessons that used 90% or more of
    the quantity), peak_used (int), mean_used (float), minutes (int).
    """
    schools = _scoped(select(PEClass.school_id), PEClass.id, scope)
    use_in_range = _scoped(
        select(
            EquipmentUsage.equipment_id,
            func.count().label("sessions_used"),
            func.sum(
                case((EquipmentUsage.quantity_used * 10 >= Equipment.quantity * 9, 1), else_=0)
            ).label("full_sessions"),
            func.max(EquipmentUsage.quantity_used).label("peak_used"),
            func.avg(EquipmentUsage.quantity_used).label("mean_used"),
            func.sum(EquipmentUsage.minutes).label("minutes"),
        ),
        EquipmentUsage.class_id,
        scope,
    )
    use_in_range = use_in_range.join(Equipment, Equipment.id == EquipmentUsage.equipment_id).where(
        EquipmentUsage.used_on.between(scope.start, scope.end)
    )
    used = use_in_range.group_by(EquipmentUsage.equipment_id).subquery()
    stmt = (
        select(
            Equipment.id.label("equipment_id"),
            School.name.label("school_name"),
            Equipment.name,
            Equipment.category,
            Equipment.quantity,
            Equipment.condition,
            Equipment.purchased_on,
            func.coalesce(used.c.sessions_used, 0).label("sessions_used"),
            func.coalesce(used.c.full_sessions, 0).label("full_sessions"),
            func.coalesce(used.c.peak_used, 0).label("peak_used"),
            func.coalesce(used.c.mean_used, 0.0).label("mean_used"),
            func.coalesce(used.c.minutes, 0).label("minutes"),
        )
        .join(School, School.id == Equipment.school_id)
        .outerjoin(used, used.c.equipment_id == Equipment.id)
        .where(Equipment.school_id.in_(schools))
        .order_by(School.name, Equipment.name)
    )
    return read_frame(conn, stmt, dates=["purchased_on"])
