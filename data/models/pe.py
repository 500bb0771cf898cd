"""Physical education: schools, classes, attendance, skills, measurements, safety, equipment."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.models.base import Base, ExternalId, choice, created_at_column

SKILLS = ("locomotor", "ball_handling", "balance", "endurance", "teamwork")
MEASUREMENT_CATEGORIES = ("fitness", "health")
INCIDENT_SEVERITIES = ("minor", "moderate", "serious")
EQUIPMENT_CONDITIONS = ("new", "good", "worn", "broken")


class School(ExternalId, Base):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)


class PEClass(ExternalId, Base):
    __tablename__ = "pe_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    grade: Mapped[int] = mapped_column(SmallInteger)
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Enrollment(Base):
    __tablename__ = "pe_enrollments"

    class_id: Mapped[int] = mapped_column(
        ForeignKey("pe_classes.id", ondelete="CASCADE"), primary_key=True
    )
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), primary_key=True)
    enrolled_on: Mapped[date] = mapped_column(Date)


class Attendance(ExternalId, Base):
    __tablename__ = "pe_attendance"
    __table_args__ = (Index("ix_pe_attendance_class_date", "class_id", "session_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("pe_classes.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"))
    session_date: Mapped[date] = mapped_column(Date, index=True)
    present: Mapped[bool] = mapped_column(Boolean)


class SkillAssessment(ExternalId, Base):
    __tablename__ = "skill_assessments"
    __table_args__ = (
        choice("skill", SKILLS),
        Index("ix_skill_assessments_class_date", "class_id", "assessed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("pe_classes.id", ondelete="CASCADE"))
    skill: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    assessed_on: Mapped[date] = mapped_column(Date)


class Measurement(ExternalId, Base):
    """A fitness test result (shuttle run, push-ups ...) or a health reading (BMI, resting HR)."""

    __tablename__ = "pe_measurements"
    __table_args__ = (
        choice("category", MEASUREMENT_CATEGORIES),
        Index("ix_pe_measurements_student_metric", "student_id", "metric", "measured_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"))
    category: Mapped[str] = mapped_column(String(16))
    metric: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    measured_on: Mapped[date] = mapped_column(Date, index=True)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)


class SafetyIncident(ExternalId, Base):
    __tablename__ = "safety_incidents"
    __table_args__ = (choice("severity", INCIDENT_SEVERITIES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("pe_classes.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id"))
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    activity: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)


class Equipment(ExternalId, Base):
    __tablename__ = "equipment"
    __table_args__ = (choice("condition", EQUIPMENT_CONDITIONS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(SmallInteger)
    condition: Mapped[str] = mapped_column(String(16))
    purchased_on: Mapped[date] = mapped_column(Date)


class EquipmentUsage(ExternalId, Base):
    __tablename__ = "equipment_usage"

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(
        ForeignKey("equipment.id", ondelete="CASCADE"), index=True
    )
    class_id: Mapped[int] = mapped_column(ForeignKey("pe_classes.id", ondelete="CASCADE"))
    used_on: Mapped[date] = mapped_column(Date, index=True)
    quantity_used: Mapped[int] = mapped_column(SmallInteger)
    minutes: Mapped[int] = mapped_column(SmallInteger)


class LessonPlan(ExternalId, Base):
    __tablename__ = "lesson_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("pe_classes.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(160))
    planned_on: Mapped[date] = mapped_column(Date)
    focus_skill: Mapped[str] = mapped_column(String(32))
    activities: Mapped[str] = mapped_column(Text)
    equipment_needed: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_column()
