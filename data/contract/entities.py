"""The data contract: every kind of record an organisation brings to Beacon, in the order
they are written (a record comes after the records it refers to)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from data.contract.columns import (
    Entity,
    entity,
    external_id,
    field_column,
    reference,
    row_rule,
    user_email,
)
from data.models.credit import EMPLOYMENT, HOUSING, JOURNEY_STAGES, PURPOSES
from data.models.pe import EQUIPMENT_CONDITIONS, INCIDENT_SEVERITIES, MEASUREMENT_CATEGORIES, SKILLS
from vocabulary import (
    APPLICATION_STATUSES,
    BANDS,
    CHANNELS,
    LOAN_STATUSES,
    SCHEDULE_STATUSES,
    SESSION_STATUSES,
    TUTOR_STATUSES,
)

HAPPENED = ("completed", "no_show")


def _before(first: str, then: str, error: str | None = None) -> pa.Check:
    return row_rule(
        lambda df: df[first].isna() | df[then].isna() | (df[first] <= df[then]),
        error or f"{then} is before {first}",
    )


def _happened_in_past(moment: str, status: str, happened: tuple[str, ...]) -> pa.Check:
    return row_rule(
        lambda df: (
            ~df[status].isin(happened)
            | df[moment].isna()
            | (df[moment] <= pd.Timestamp.now(tz="UTC"))
        ),
        f"{moment} is in the future, but the status says it already happened",
    )


def _text(meaning: str, example: str, length: int, *, required: bool = True) -> pa.Column:
    return field_column(
        "text",
        meaning,
        example=example,
        max_length=length,
        required=required,
        default=None if required else "",
    )


REGIONS = entity(
    "regions",
    "The regions the company works in; every tutor, student, room and customer belongs to one.",
    {
        "external_id": external_id("region", "R-NORTH"),
        "code": _text("A short code shown on charts.", "NORTH", 16),
        "name": _text("The region's name.", "North", 80),
    },
)
SCHOOLS = entity(
    "schools",
    "Schools whose physical-education classes Beacon follows.",
    {
        "external_id": external_id("school", "SCH-001"),
        "name": _text("The school's name.", "Hillside Primary", 120),
        "region_id": reference("regions", "school's region", "R-NORTH"),
    },
)
ROOMS = entity(
    "rooms",
    "Rooms that sessions are booked into.",
    {
        "external_id": external_id("room", "ROOM-12"),
        "name": _text("The room's name.", "Room 12", 80),
        "region_id": reference("regions", "room's region", "R-NORTH"),
        "capacity": field_column("int", "Seats in the room.", example=12, low=1, high=1000),
    },
)
TUTORS = entity(
    "tutors",
    "Tutors: the people whose risk of leaving Beacon scores.",
    {
        "external_id": external_id("tutor", "T-1001"),
        "name": _text("Full name.", "Ada Lovelace", 120),
        "email": _text("Work e-mail, unique per tutor.", "ada@example.org", 254),
        "region_id": reference("regions", "tutor's region", "R-NORTH"),
        "subject": _text("The main subject taught.", "Maths", 40),
        "hired_on": field_column("date", "First day of work.", example="2023-09-01", past=True),
        "left_on": field_column(
            "date", "Last day of work, if the tutor left.", example="", required=False, past=True
        ),
        "status": field_column(
            "text", "Whether the tutor still works.", example="active", allowed=TUTOR_STATUSES
        ),
        "weekly_capacity": field_column(
            "int", "Sessions a week the tutor can take.", example=20, low=0, high=100
        ),
    },
    checks=[_before("hired_on", "left_on")],
)
STUDENTS = entity(
    "students",
    "Students: who attends tutoring, PE classes and booked sessions.",
    {
        "external_id": external_id("student", "S-20001"),
        "name": _text("Full name.", "Sam Okafor", 120),
        "region_id": reference("regions", "student's region", "R-NORTH"),
        "grade": field_column(
            "int", "School grade (0 is kindergarten).", example=7, low=0, high=13
        ),
        "enrolled_on": field_column(
            "date", "When the student joined.", example="2024-09-01", past=True
        ),
    },
)
TUTORING_SESSIONS = entity(
    "tutoring_sessions",
    "One tutoring session of one student with one tutor: its status is the student's "
    "attendance (completed, or no_show when the student did not come).",
    {
        "external_id": external_id("session", "TS-900001"),
        "tutor_id": reference("tutors", "tutor", "T-1001"),
        "student_id": reference("students", "student", "S-20001"),
        "scheduled_start": field_column(
            "datetime", "When the session starts.", example="2026-11-30T15:00:00+00:00"
        ),
        "duration_minutes": field_column(
            "int", "Planned length in minutes.", example=60, low=5, high=480
        ),
        "status": field_column(
            "text",
            "completed and no_show have happened; scheduled is still to come.",
            example="completed",
            allowed=SESSION_STATUSES,
        ),
        "rating": field_column(
            "int",
            "The student's rating, 1 to 5, if given.",
            example=5,
            low=1,
            high=5,
            required=False,
        ),
    },
    checks=[_happened_in_past("scheduled_start", "status", HAPPENED)],
)
PE_CLASSES = entity(
    "pe_classes",
    "Physical-education classes.",
    {
        "external_id": external_id("class", "PE-7A"),
        "school_id": reference("schools", "school", "SCH-001"),
        "name": _text("The class's name.", "Grade 7 PE", 80),
        "grade": field_column("int", "School grade of the class.", example=7, low=0, high=13),
        "teacher_email": user_email(
            "The e-mail of the Beacon user who teaches the class, if they have an account.",
            "",
        ),
    },
)
PE_ENROLLMENTS = entity(
    "pe_enrollments",
    "Which students are in which PE class (one row per student and class).",
    {
        "class_id": reference("pe_classes", "class", "PE-7A"),
        "student_id": reference("students", "student", "S-20001"),
        "enrolled_on": field_column(
            "date", "When the student joined the class.", example="2026-09-01", past=True
        ),
    },
    key=("class_id", "student_id"),
)
PE_ATTENDANCE = entity(
    "pe_attendance",
    "One student's attendance at one PE lesson.",
    {
        "external_id": external_id("attendance record", "ATT-1"),
        "class_id": reference("pe_classes", "class", "PE-7A"),
        "student_id": reference("students", "student", "S-20001"),
        "session_date": field_column("date", "The lesson's date.", example="2026-11-30", past=True),
        "present": field_column("bool", "Whether the student came.", example=True),
    },
)
SKILL_ASSESSMENTS = entity(
    "skill_assessments",
    "A skill score of one student, given in a PE class.",
    {
        "external_id": external_id("assessment", "SA-1"),
        "student_id": reference("students", "student", "S-20001"),
        "class_id": reference("pe_classes", "class", "PE-7A"),
        "skill": field_column("text", "The skill assessed.", example="balance", allowed=SKILLS),
        "score": field_column("float", "Score from 0 to 100.", example=64.5, low=0, high=100),
        "assessed_on": field_column(
            "date", "When it was assessed.", example="2026-11-15", past=True
        ),
    },
)
PE_MEASUREMENTS = entity(
    "pe_measurements",
    "A fitness test result or a health reading of one student.",
    {
        "external_id": external_id("measurement", "M-1"),
        "student_id": reference("students", "student", "S-20001"),
        "category": field_column(
            "text", "fitness or health.", example="fitness", allowed=MEASUREMENT_CATEGORIES
        ),
        "metric": _text("What was measured.", "shuttle_run", 40),
        "value": field_column("float", "The reading.", example=38.0),
        "unit": _text("The reading's unit.", "laps", 16),
        "measured_on": field_column(
            "date", "When it was measured.", example="2026-11-15", past=True
        ),
        "flagged": field_column(
            "bool",
            "Whether a teacher flagged it for follow-up.",
            example=False,
            required=False,
            default=False,
        ),
    },
)
SAFETY_INCIDENTS = entity(
    "safety_incidents",
    "An injury or near miss in a PE class.",
    {
        "external_id": external_id("incident", "INC-1"),
        "class_id": reference("pe_classes", "class", "PE-7A"),
        "student_id": reference("students", "student involved", "S-20001", required=False),
        "occurred_on": field_column("date", "When it happened.", example="2026-11-20", past=True),
        "activity": _text("What the class was doing.", "football", 40),
        "severity": field_column(
            "text", "How serious it was.", example="minor", allowed=INCIDENT_SEVERITIES
        ),
        "description": _text("What happened.", "Twisted ankle during a sprint.", 4000),
    },
)
EQUIPMENT = entity(
    "equipment",
    "PE equipment a school owns.",
    {
        "external_id": external_id("equipment item", "EQ-1"),
        "school_id": reference("schools", "school", "SCH-001"),
        "name": _text("What it is.", "Footballs", 80),
        "category": _text("Its kind.", "balls", 40),
        "quantity": field_column("int", "How many.", example=20, low=0, high=32000),
        "condition": field_column(
            "text", "Its state.", example="good", allowed=EQUIPMENT_CONDITIONS
        ),
        "purchased_on": field_column(
            "date", "When it was bought.", example="2025-08-20", past=True
        ),
    },
)
EQUIPMENT_USAGE = entity(
    "equipment_usage",
    "Equipment used by a class in a lesson.",
    {
        "external_id": external_id("usage record", "EU-1"),
        "equipment_id": reference("equipment", "equipment item", "EQ-1"),
        "class_id": reference("pe_classes", "class", "PE-7A"),
        "used_on": field_column("date", "The lesson's date.", example="2026-11-30", past=True),
        "quantity_used": field_column("int", "How many were used.", example=10, low=0, high=32000),
        "minutes": field_column("int", "For how long.", example=45, low=0, high=1440),
    },
)
LESSON_PLANS = entity(
    "lesson_plans",
    "A planned PE lesson.",
    {
        "external_id": external_id("lesson plan", "LP-1"),
        "class_id": reference("pe_classes", "class", "PE-7A"),
        "title": _text("The plan's title.", "Balance circuit", 160),
        "planned_on": field_column("date", "The lesson's date.", example="2026-12-08"),
        "focus_skill": field_column(
            "text", "The skill it trains.", example="balance", allowed=SKILLS
        ),
        "activities": _text("What the class does.", "Warm-up; beam walk; relay", 8000),
        "equipment_needed": _text("What to bring.", "Beams, cones", 4000, required=False),
        "author_email": user_email("The e-mail of the Beacon user who wrote it, if any.", ""),
    },
)
SCHEDULES = entity(
    "schedules",
    "A booked session (tutoring group, mentoring, workshop). Its host is a tutor "
    "(host_tutor_id) or a Beacon user (host_email): exactly one of the two.",
    {
        "external_id": external_id("booking", "B-1"),
        "title": _text("What the session is.", "Algebra group", 160),
        "description": _text("More detail.", "", 4000, required=False),
        "host_tutor_id": reference("tutors", "hosting tutor", "T-1001", required=False),
        "host_email": user_email("The e-mail of the Beacon user who hosts it.", ""),
        "region_id": reference("regions", "session's region", "R-NORTH"),
        "room_id": reference("rooms", "room", "ROOM-12", required=False),
        "starts_at": field_column(
            "datetime", "When it starts.", example="2026-12-08T15:00:00+00:00"
        ),
        "ends_at": field_column("datetime", "When it ends.", example="2026-12-08T16:00:00+00:00"),
        "status": field_column(
            "text",
            "scheduled, completed or cancelled.",
            example="scheduled",
            allowed=SCHEDULE_STATUSES,
        ),
        "focus": _text("Its topic.", "Algebra", 80, required=False),
    },
    checks=[
        row_rule(
            lambda df: (
                df["starts_at"].isna() | df["ends_at"].isna() | (df["ends_at"] > df["starts_at"])
            ),
            "ends_at is not after starts_at",
        ),
        row_rule(
            lambda df: df["host_tutor_id"].isna() != df["host_email"].isna(),
            "needs exactly one host: host_tutor_id or host_email",
        ),
        _happened_in_past("starts_at", "status", ("completed",)),
    ],
)
SCHEDULE_ATTENDEES = entity(
    "schedule_attendees",
    "Which students attend a booked session, and whether they came.",
    {
        "schedule_id": reference("schedules", "booking", "B-1"),
        "student_id": reference("students", "student", "S-20001"),
        "attended": field_column(
            "bool",
            "Set once the session is over: false is a no-show.",
            example="",
            required=False,
        ),
    },
    key=("schedule_id", "student_id"),
)
CREDIT_CUSTOMERS = entity(
    "credit_customers",
    "People who apply for tuition financing.",
    {
        "external_id": external_id("customer", "C-5001"),
        "name": _text("Full name.", "Maria Silva", 120),
        "region_id": reference("regions", "customer's region", "R-NORTH"),
        "birth_year": field_column("int", "Year of birth.", example=1990, low=1900, high=2015),
        "annual_income": field_column(
            "float", "Yearly income in the company's currency.", example=42000, low=0
        ),
        "employment": field_column(
            "text", "Employment status.", example="employed", allowed=EMPLOYMENT
        ),
        "employment_years": field_column(
            "float", "Years in the current employment.", example=4.5, low=0, high=80
        ),
        "housing": field_column("text", "Housing.", example="rent", allowed=HOUSING),
        "channel": field_column("text", "How the customer came.", example="web", allowed=CHANNELS),
    },
)
CREDIT_PRODUCTS = entity(
    "credit_products",
    "The financing products on offer.",
    {
        "external_id": external_id("product", "TUITION-12"),
        "code": _text("A short unique code.", "TUITION-12", 24),
        "name": _text("The product's name.", "Tuition loan, 12 months", 120),
        "purpose": field_column("text", "What it finances.", example="tuition", allowed=PURPOSES),
        "min_amount": field_column("float", "Smallest amount lent.", example=500, low=0),
        "max_amount": field_column("float", "Largest amount lent.", example=10000, low=0),
        "min_term_months": field_column("int", "Shortest term.", example=6, low=1, high=600),
        "max_term_months": field_column("int", "Longest term.", example=24, low=1, high=600),
        "worst_band": field_column(
            "text", "The worst risk band it lends to.", example="medium", allowed=BANDS
        ),
        "margin": field_column(
            "float", "Margin over cost, as a fraction.", example=0.04, low=0, high=1
        ),
        "is_active": field_column(
            "bool", "Whether it is offered now.", example=True, required=False, default=True
        ),
    },
    checks=[
        _before("min_amount", "max_amount", "max_amount is below min_amount"),
        _before("min_term_months", "max_term_months", "max_term_months is below min_term_months"),
    ],
)
CREDIT_APPLICATIONS = entity(
    "credit_applications",
    "Applications for financing; Beacon scores the new ones at its next refresh.",
    {
        "external_id": external_id("application", "A-77001"),
        "customer_id": reference("credit_customers", "customer", "C-5001"),
        "product_id": reference("credit_products", "product", "TUITION-12"),
        "applied_at": field_column(
            "datetime",
            "When the application came in.",
            example="2026-11-28T10:30:00+00:00",
            past=True,
        ),
        "amount": field_column("float", "Amount asked for.", example=3000, low=0.01),
        "term_months": field_column("int", "Term asked for.", example=12, low=1, high=600),
        "purpose": field_column("text", "What it is for.", example="tuition", allowed=PURPOSES),
        "channel": field_column("text", "Where it came in.", example="web", allowed=CHANNELS),
        "debt_to_income": field_column(
            "float",
            "Monthly debt payments over monthly income.",
            example=0.25,
            low=0,
            high=100,
            required=False,
        ),
        "credit_history_months": field_column(
            "int", "Months of credit history.", example=48, low=0, high=1200, required=False
        ),
        "delinquencies_2y": field_column(
            "int",
            "Late payments in the last two years.",
            example=0,
            low=0,
            high=1000,
            required=False,
            default=0,
        ),
        "open_loans": field_column(
            "int",
            "Loans open elsewhere.",
            example=1,
            low=0,
            high=1000,
            required=False,
            default=0,
        ),
        "status": field_column(
            "text",
            "Where the application stands.",
            example="approved",
            allowed=APPLICATION_STATUSES,
        ),
        "decided_at": field_column(
            "datetime",
            "When it was decided.",
            example="2026-11-28T11:00:00+00:00",
            required=False,
            past=True,
        ),
    },
    checks=[_before("applied_at", "decided_at")],
)
LOANS = entity(
    "loans",
    "Loans paid out on approved applications.",
    {
        "external_id": external_id("loan", "L-3001"),
        "application_id": reference("credit_applications", "application", "A-77001"),
        "customer_id": reference("credit_customers", "customer", "C-5001"),
        "disbursed_on": field_column(
            "date", "When the money was paid out.", example="2026-11-29", past=True
        ),
        "principal": field_column("float", "Amount lent.", example=3000, low=0.01),
        "annual_rate": field_column(
            "float", "Yearly interest rate, as a fraction.", example=0.089, low=0, high=1
        ),
        "term_months": field_column("int", "Term.", example=12, low=1, high=600),
        "status": field_column(
            "text", "Where the loan stands.", example="active", allowed=LOAN_STATUSES
        ),
        "closed_on": field_column(
            "date", "When it was repaid or written off.", example="", required=False, past=True
        ),
    },
    checks=[_before("disbursed_on", "closed_on")],
)
REPAYMENTS = entity(
    "repayments",
    "The instalments of a loan: due, and paid or not.",
    {
        "external_id": external_id("instalment", "L-3001-01"),
        "loan_id": reference("loans", "loan", "L-3001"),
        "due_on": field_column("date", "When it is due.", example="2026-12-29"),
        "amount_due": field_column("float", "Amount due.", example=262.5, low=0),
        "paid_on": field_column(
            "date", "When it was paid, if it was.", example="", required=False, past=True
        ),
        "amount_paid": field_column(
            "float", "Amount paid so far.", example=0, low=0, required=False, default=0.0
        ),
        "days_past_due": field_column(
            "int",
            "Days late (0 when on time).",
            example=0,
            low=0,
            high=32000,
            required=False,
            default=0,
        ),
    },
)
JOURNEY_EVENTS = entity(
    "journey_events",
    "Steps of a (prospective) customer's journey: visit, application, approval, "
    "disbursement, repaid, defaulted.",
    {
        "external_id": external_id("journey step", "J-1"),
        "customer_id": reference(
            "credit_customers",
            "customer (empty for an anonymous visit)",
            "C-5001",
            required=False,
        ),
        "application_id": reference(
            "credit_applications", "application", "A-77001", required=False
        ),
        "stage": field_column("text", "The step.", example="application", allowed=JOURNEY_STAGES),
        "channel": field_column("text", "Through which channel.", example="web", allowed=CHANNELS),
        "occurred_at": field_column(
            "datetime", "When it happened.", example="2026-11-28T10:30:00+00:00", past=True
        ),
    },
)

ENTITIES: tuple[Entity, ...] = (
    REGIONS,
    SCHOOLS,
    ROOMS,
    TUTORS,
    STUDENTS,
    TUTORING_SESSIONS,
    PE_CLASSES,
    PE_ENROLLMENTS,
    PE_ATTENDANCE,
    SKILL_ASSESSMENTS,
    PE_MEASUREMENTS,
    SAFETY_INCIDENTS,
    EQUIPMENT,
    EQUIPMENT_USAGE,
    LESSON_PLANS,
    SCHEDULES,
    SCHEDULE_ATTENDEES,
    CREDIT_CUSTOMERS,
    CREDIT_PRODUCTS,
    CREDIT_APPLICATIONS,
    LOANS,
    REPAYMENTS,
    JOURNEY_EVENTS,
)
BY_NAME = {e.name: e for e in ENTITIES}
