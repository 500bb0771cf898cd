"""Thirty questions with their answers worked out here from the data (plain SQL, not Ask's
tools), asked twice: without an AI service (the template routes the question by its words)
and through the tool-calling path (a local server speaking the OpenAI API calls the tool a
model would, then quotes its numbers). Each answer must answer the question asked: the
rate when a rate is asked, the one tutor, customer, class or period named; and a question
no tool fits must be told so, never answered with a nearby question's numbers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import case as when
from sqlalchemy import func, select

from ai import ask as asking
from data import credit, tutor_risk
from data.engine import connect
from data.models import (
    Attendance,
    CreditApplication,
    CreditCustomer,
    CreditScore,
    PEClass,
    Region,
    School,
    Tutor,
    TutoringSession,
    TutorRiskScore,
)
from data.queries import home
from tests.ai.test_ai import someone

HELD = ("completed", "no_show", "cancelled", "rescheduled")


@dataclass(frozen=True)
class Case:
    question: str
    tool: str | None  # None: no tool may answer it
    arguments: dict[str, Any]
    expected: str  # text the answer must contain
    regions: list[int] | None = None


def _newest() -> pd.Timestamp:
    with connect() as conn:
        end = home.home_end(conn=conn)
    assert end is not None
    return end


def _span(period: str) -> tuple[datetime, datetime]:
    """[since, until) of a period, worked out from the newest day with data."""
    last = _newest()
    until = last + timedelta(days=1)
    if period.startswith("days:"):
        return (until - timedelta(days=int(period[5:]))).to_pydatetime(), until.to_pydatetime()
    month = last.replace(day=1)
    year = last.replace(month=1, day=1)
    since, until = {
        "last_month": ((month - timedelta(days=1)).replace(day=1), month),
        "this_month": (month, until),
        "this_year": (year, until),
        "last_year": (year.replace(year=year.year - 1), year),
    }[period]
    return since.to_pydatetime(), until.to_pydatetime()


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole, 1)}%"


def sessions(period: str, region: str | None = None) -> pd.DataFrame:
    since, until = _span(period)
    statement = (
        select(
            Region.name.label("region"),
            func.sum(when((TutoringSession.status == "completed", 1), else_=0)).label("completed"),
            func.sum(when((TutoringSession.status.in_(HELD), 1), else_=0)).label("held"),
        )
        .join(Tutor, Tutor.id == TutoringSession.tutor_id)
        .join(Region, Region.id == Tutor.region_id)
        .where(TutoringSession.scheduled_start >= since, TutoringSession.scheduled_start < until)
        .group_by(Region.name)
    )
    if region:
        statement = statement.where(Region.name == region)
    with connect() as conn:
        return pd.DataFrame(conn.execute(statement).mappings().all())


def applications(period: str, region: str | None = None) -> pd.DataFrame:
    since, until = _span(period)
    status = CreditApplication.status
    statement = (
        select(
            Region.name.label("region"),
            func.count().label("applications"),
            func.sum(when((status == "approved", 1), else_=0)).label("approved"),
            func.sum(when((status == "declined", 1), else_=0)).label("declined"),
        )
        .join(CreditCustomer, CreditCustomer.id == CreditApplication.customer_id)
        .join(Region, Region.id == CreditCustomer.region_id)
        .where(CreditApplication.applied_at >= since, CreditApplication.applied_at < until)
        .group_by(Region.name)
    )
    if region:
        statement = statement.where(Region.name == region)
    with connect() as conn:
        return pd.DataFrame(conn.execute(statement).mappings().all())


def attendance(period: str, region: str | None = None, class_id: int | None = None):  # type: ignore[no-untyped-def]
    since, until = _span(period)
    statement = (
        select(
            Region.name.label("region"),
            func.sum(when((Attendance.present, 1), else_=0)).label("present"),
            func.count().label("marks"),
        )
        .join(PEClass, PEClass.id == Attendance.class_id)
        .join(School, School.id == PEClass.school_id)
        .join(Region, Region.id == School.region_id)
        .where(Attendance.session_date >= since.date(), Attendance.session_date < until.date())
        .group_by(Region.name)
    )
    if region:
        statement = statement.where(Region.name == region)
    if class_id:
        statement = statement.where(PEClass.id == class_id)
    with connect() as conn:
        return pd.DataFrame(conn.execute(statement).mappings().all())


def risk_bands() -> pd.DataFrame:
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        newest = conn.execute(
            select(func.max(TutorRiskScore.as_of)).where(
                TutorRiskScore.model_version_id == model["id"]
            )
        ).scalar_one()
        rows = conn.execute(
            select(Region.name.label("region"), TutorRiskScore.band, func.count().label("n"))
            .join(Tutor, Tutor.id == TutorRiskScore.tutor_id)
            .join(Region, Region.id == Tutor.region_id)
            .where(TutorRiskScore.model_version_id == model["id"], TutorRiskScore.as_of == newest)
            .group_by(Region.name, TutorRiskScore.band)
        ).mappings()
        frame = pd.DataFrame(rows.all())
    return frame.pivot_table(index="region", columns="band", values="n", fill_value=0)


def top(frame: pd.DataFrame, column: str, shown: Callable[[pd.Series], str]) -> str:
    best = frame.sort_values([column, "region"], ascending=[False, True]).iloc[0]
    return f"The most: {best['region']} ({shown(best)})"


def one_tutor() -> tuple[int, str]:
    """An active tutor of North with a name no one else has, who held sessions lately."""
    with connect() as conn:
        names = conn.execute(
            select(Tutor.id, Tutor.name)
            .where(Tutor.region_id == 1, Tutor.status == "active")
            .order_by(Tutor.id)
        ).all()
        counts = pd.Series([n for _, n in conn.execute(select(Tutor.id, Tutor.name)).all()])
    unique = [(i, n) for i, n in names if (counts == n).sum() == 1]
    return unique[0]


def tutor_counts(tutor_id: int, period: str) -> dict[str, int]:
    since, until = _span(period)
    with connect() as conn:
        rows = conn.execute(
            select(TutoringSession.status, func.count())
            .where(
                TutoringSession.tutor_id == tutor_id,
                TutoringSession.scheduled_start >= since,
                TutoringSession.scheduled_start < until,
            )
            .group_by(TutoringSession.status)
        ).all()
    return {status: n for status, n in rows}


def one_customer() -> tuple[int, str]:
    """A customer of North with a unique name and several applications."""
    with connect() as conn:
        rows = conn.execute(
            select(CreditCustomer.id, CreditCustomer.name, func.count(CreditApplication.id))
            .join(CreditApplication, CreditApplication.customer_id == CreditCustomer.id)
            .where(CreditCustomer.region_id == 1)
            .group_by(CreditCustomer.id, CreditCustomer.name)
            .having(func.count(CreditApplication.id) >= 2)
            .order_by(CreditCustomer.id)
        ).all()
        names = pd.Series(list(conn.execute(select(CreditCustomer.name)).scalars()))
    found = next((i, n) for i, n, _ in rows if (names == n).sum() == 1)
    return found


def one_class() -> tuple[int, str, str]:
    with connect() as conn:
        row = conn.execute(
            select(PEClass.id, PEClass.name, School.name)
            .join(School, School.id == PEClass.school_id)
            .where(School.region_id == 1, PEClass.name.like("Grade 3%"))
            .order_by(PEClass.id)
        ).first()
    assert row is not None
    return int(row[0]), str(row[1]), str(row[2])


def cases() -> list[Case]:
    c: list[Case] = []
    s30 = sessions("days:30")
    c.append(
        Case(
            "How many tutoring sessions were completed in the last 30 days?",
            "tutoring_sessions_by_region",
            {"days": 30},
            top(s30, "completed", lambda r: f"{r['completed']:,}"),
        )
    )
    lm = sessions("last_month").assign(rate=lambda f: 100 * f["completed"] / f["held"])
    c.append(
        Case(
            "What was the session completion rate last month?",
            "tutoring_sessions_by_region",
            {"period": "last_month"},
            top(lm, "rate", lambda r: _pct(r["completed"], r["held"])),
        )
    )
    north = sessions("last_month", "North").iloc[0]
    c.append(
        Case(
            "How many sessions were completed in North last month?",
            "tutoring_sessions_by_region",
            {"region": "North", "period": "last_month"},
            f"North {north['completed']:,}",
        )
    )
    # "How many sessions" counts every session of the week, whatever its outcome: it had
    # answered with the completed ones alone (295 of North's 332 in a manager's walk).
    week = sessions("days:7", "North").iloc[0]
    c.append(
        Case(
            "how many sessions last week in North",
            "tutoring_sessions_by_region",
            {"region": "North", "days": 7},
            f"sessions: North {week['held']:,}",
        )
    )
    # Asked of every region, the answer leads with one figure for all of them.
    every_week = sessions("days:7")
    c.append(
        Case(
            "How many sessions were there last week?",
            "tutoring_sessions_by_region",
            {"days": 7},
            f"sessions: {every_week['held'].sum():,} in all; ",
        )
    )
    south = sessions("this_year", "South").iloc[0]
    c.append(
        Case(
            "What is the completion rate in South this year?",
            "tutoring_sessions_by_region",
            {"region": "South", "period": "this_year"},
            f"South {_pct(south['completed'], south['held'])}",
        )
    )
    a90 = applications("days:90")
    c.append(
        Case(
            "How many credit applications did we receive in the last 90 days?",
            "credit_applications_by_region",
            {"days": 90},
            top(a90, "applications", lambda r: f"{r['applications']:,}"),
        )
    )
    alm = applications("last_month").assign(
        rate=lambda f: 100 * f["approved"] / (f["approved"] + f["declined"])
    )
    c.append(
        Case(
            "What was the approval rate last month?",
            "credit_applications_by_region",
            {"period": "last_month"},
            top(alm, "rate", lambda r: _pct(r["approved"], r["approved"] + r["declined"])),
        )
    )
    # The overall rate is recounted from every region's applications, not their rates' mean.
    c.append(
        Case(
            "What was last month's approval rate?",
            "credit_applications_by_region",
            {"period": "last_month"},
            "approval rate: "
            + _pct(alm["approved"].sum(), alm["approved"].sum() + alm["declined"].sum())
            + " in all; ",
        )
    )
    a7 = applications("days:7")
    c.append(
        Case(
            "How many applications were declined in the last 7 days?",
            "credit_applications_by_region",
            {"days": 7},
            top(a7, "declined", lambda r: f"{r['declined']:,}"),
        )
    )
    ny = applications("this_year", "North").iloc[0]
    c.append(
        Case(
            "How many applications were approved in North this year?",
            "credit_applications_by_region",
            {"region": "North", "period": "this_year"},
            f"North {ny['approved']:,}",
        )
    )
    pw = attendance("days:7").assign(rate=lambda f: 100 * f["present"] / f["marks"])
    c.append(
        Case(
            "What was PE attendance last week?",
            "pe_attendance_by_region",
            {"days": 7},
            top(pw, "rate", lambda r: _pct(r["present"], r["marks"])),
        )
    )
    pn = attendance("days:30", "North").iloc[0]
    c.append(
        Case(
            "What was the PE attendance rate in North in the last 30 days?",
            "pe_attendance_by_region",
            {"region": "North", "days": 30},
            f"North {_pct(pn['present'], pn['marks'])}",
        )
    )
    ps = attendance("last_month", "South").iloc[0]
    c.append(
        Case(
            "How many students attended PE in South last month?",
            "pe_attendance_by_region",
            {"region": "South", "period": "last_month"},
            f"South {ps['present']:,}",
        )
    )
    bands = risk_bands().reindex(columns=["critical", "high", "medium", "low"], fill_value=0)
    bands = bands.reset_index()
    c.append(
        Case(
            "Which region has the most tutors at high risk?",
            "tutors_at_risk_by_region",
            {},
            top(bands, "high", lambda r: f"{int(r['high']):,}"),
        )
    )
    c.append(
        Case(
            "Which region has the most critical tutors?",
            "tutors_at_risk_by_region",
            {},
            top(bands, "critical", lambda r: f"{int(r['critical']):,}"),
        )
    )
    north_bands = bands[bands["region"] == "North"].iloc[0]
    at_risk = int(north_bands["critical"] + north_bands["high"])
    total = int(north_bands[["critical", "high", "medium", "low"]].sum())
    c.append(
        Case(
            "What share of tutors are at high or critical risk in North?",
            "tutors_at_risk_by_region",
            {"region": "North"},
            f"North {_pct(at_risk, total)}",
        )
    )
    everywhere = bands.assign(n=bands["critical"] + bands["high"])
    c.append(
        Case(
            "How many tutors are at risk of leaving?",
            "tutors_at_risk_by_region",
            {},
            top(everywhere, "n", lambda r: f"{int(r['n']):,}"),
        )
    )
    tutor_id, tutor = one_tutor()
    last_month = tutor_counts(tutor_id, "last_month")
    c.append(
        Case(
            f"How many sessions did {tutor} complete last month?",
            "tutor_sessions",
            {"tutor": tutor, "period": "last_month"},
            f"completed {last_month.get('completed', 0):,}",
        )
    )
    q90 = tutor_counts(tutor_id, "days:90")
    held = sum(q90.get(s, 0) for s in HELD)
    c.append(
        Case(
            f"What was {tutor}'s completion rate in the last 90 days?",
            "tutor_sessions",
            {"tutor": tutor, "days": 90},
            f"completion rate {_pct(q90.get('completed', 0), held)}",
        )
    )
    year = tutor_counts(tutor_id, "this_year")
    c.append(
        Case(
            f"How many no-shows did {tutor} have this year?",
            "tutor_sessions",
            {"tutor": tutor, "period": "this_year"},
            f"no show {year.get('no_show', 0):,}",
        )
    )
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        score = conn.execute(
            select(TutorRiskScore.score)
            .where(
                TutorRiskScore.tutor_id == tutor_id,
                TutorRiskScore.model_version_id == model["id"],
            )
            .order_by(TutorRiskScore.as_of.desc())
            .limit(1)
        ).scalar_one()
    c.append(
        Case(
            f"What is the risk score of tutor {tutor}?",
            "tutor_sessions",
            {"tutor": tutor},
            f"risk score {score}",
        )
    )
    customer_id, customer = one_customer()
    with connect() as conn:
        statuses = list(
            conn.execute(
                select(CreditApplication.status).where(CreditApplication.customer_id == customer_id)
            ).scalars()
        )
        credit_model = credit.active_model(conn=conn)
        latest = conn.execute(
            select(CreditScore.score)
            .join(CreditApplication, CreditApplication.id == CreditScore.application_id)
            .where(
                CreditApplication.customer_id == customer_id,
                CreditScore.model_version_id == credit_model["id"],
            )
            .order_by(CreditApplication.applied_at.desc(), CreditApplication.id.desc())
            .limit(1)
        ).scalar_one()
    approved = statuses.count("approved")
    decided = approved + statuses.count("declined")
    c.append(
        Case(
            f"How many applications has {customer} made?",
            "customer_credit",
            {"customer": customer},
            f"applications {len(statuses):,}",
        )
    )
    c.append(
        Case(
            f"What is the latest score of {customer}?",
            "customer_credit",
            {"customer": customer},
            f"latest score {latest}",
        )
    )
    c.append(
        Case(
            f"What is the approval rate of customer {customer}?",
            "customer_credit",
            {"customer": customer},
            f"approval rate {_pct(approved, decided)}" if decided else "approval rate none",
        )
    )
    class_id, class_name, school = one_class()
    cl = attendance("last_month", class_id=class_id).sum(numeric_only=True)
    c.append(
        Case(
            f"What was attendance in {class_name} at {school} last month?",
            "class_attendance",
            {"class_name": class_name, "school": school, "period": "last_month"},
            f"attendance rate {_pct(int(cl['present']), int(cl['marks']))}",
        )
    )
    c30 = attendance("days:30", class_id=class_id).sum(numeric_only=True)
    c.append(
        Case(
            f"How many students attended {class_name} at {school} in the last 30 days?",
            "class_attendance",
            {"class_name": class_name, "school": school, "days": 30},
            f"present {int(c30['present']):,}",
        )
    )
    cannot = "I can't answer that from Beacon's data"
    c += [
        Case("What was our revenue last quarter?", None, {}, cannot),
        Case(
            "How many sessions did Zara Qwertyuiop complete last month?",
            "tutor_sessions",
            {"tutor": "Zara Qwertyuiop", "period": "last_month"},
            "there is no tutor called 'Zara Qwertyuiop' in your regions",
        ),
        Case("Which tutor earns the most?", None, {}, cannot),
        Case("What will the weather be tomorrow?", None, {}, cannot),
        Case("How many lesson plans were written?", None, {}, cannot),
        Case(
            "How many applications did South get last month?",
            "credit_applications_by_region",
            {"region": "South", "period": "last_month"},
            "South is outside your regions",
            regions=[1],
        ),
    ]
    return c


def test_thirty_questions_answered_from_the_template(ask_data, monkeypatch):
    from settings import get_settings

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    get_settings.cache_clear()
    asked = cases()
    assert len(asked) >= 30
    for case in asked:
        answer = asking.ask(case.question, someone(case.regions))
        assert answer.source == "template", case.question
        assert case.expected in answer.text, (case.question, answer.text)
        assert [r.name for r in answer.runs] == ([case.tool] if case.tool else []), case.question
        if case.tool:
            assert answer.runs[0].arguments == case.arguments, case.question


def test_thirty_questions_answered_through_tool_calls(ask_data_with_ai):
    server = ask_data_with_ai
    for case in cases():
        if case.tool is None:
            server.reply("I can't answer that from Beacon's data.")
        else:
            server.call_tool(case.tool, case.arguments)
            server.reply(f"From the tools: {case.expected}.")
        answer = asking.ask(case.question, someone(case.regions))
        assert answer.source == "ai" and case.expected in answer.text, (case.question, answer)
        if case.tool is not None:
            run = answer.runs[0]
            # What the model was sent holds the expected figures (rates as 12.3, counts as 45).
            sent = run.result()
            figures = re.findall(r"\d[\d,]*(?:\.\d+)?", case.expected)
            assert run.refused or figures[-1].replace(",", "") in sent, (case.question, sent)


@pytest.mark.parametrize(
    ("question", "tool", "measure", "lowest"),
    [
        (
            "How many tutors are at high or critical risk in North?",
            "tutors_at_risk_by_region",
            "high_or_critical",
            False,
        ),
        (
            "What percentage of tutors are critical?",
            "tutors_at_risk_by_region",
            "critical_rate",
            False,
        ),
        ("What share of tutors are at low risk?", "tutors_at_risk_by_region", "low_rate", False),
        (
            "What is the decline rate this year?",
            "credit_applications_by_region",
            "decline_rate",
            False,
        ),
        (
            "How many sessions were cancelled last week?",
            "tutoring_sessions_by_region",
            "cancelled",
            False,
        ),
        (
            "What is the no-show rate in the last 90 days?",
            "tutoring_sessions_by_region",
            "no_show_rate",
            False,
        ),
        (
            "How many pupils were absent from PE last month?",
            "pe_attendance_by_region",
            "absent",
            False,
        ),
        (
            "Which region has the lowest completion rate?",
            "tutoring_sessions_by_region",
            "completion_rate",
            True,
        ),
        ("How many applications has customer 18 made?", "customer_credit", "applications", False),
        # A rate of sessions named by no measure is their completion rate; a count, all.
        (
            "Which region has the best tutoring rate this year?",
            "tutoring_sessions_by_region",
            "completion_rate",
            False,
        ),
        ("How many sessions last week?", "tutoring_sessions_by_region", "sessions", False),
    ],
)
def test_the_router_answers_the_measure_asked(ask_data, question, tool, measure, lowest):
    routed = asking.route(question, someone())
    assert (routed.tool, routed.measure, routed.lowest) == (tool, measure, lowest)


@pytest.mark.parametrize(
    ("question", "why"),
    [
        ("What was attendance in May?", "Ask reads periods"),
        ("How many sessions were completed in the last 1000 days?", "Ask reads periods"),
        ("What is the rate of PE marks?", "there is no rate of marks"),
        ("What did Qwerty Zxcvb achieve?", "no tutor or customer called 'Qwerty Zxcvb'"),
    ],
)
def test_what_the_router_cannot_read_it_says(ask_data, question, why):
    routed = asking.route(question, someone())
    assert routed.tool is None and why in (routed.cannot or "")


def test_a_name_from_another_region_is_not_answered_with_something_else(ask_data):
    """A North manager asks about a South tutor by name: no tutor in their regions, and no
    customer question either; said so, without saying the tutor exists elsewhere."""
    with connect() as conn:
        south = conn.execute(
            select(Tutor.name).where(Tutor.region_id == 2).order_by(Tutor.id)
        ).scalars()
        north = set(conn.execute(select(Tutor.name).where(Tutor.region_id == 1)).scalars())
        name = next(n for n in south if n not in north)
    answer = asking.ask(f"What was {name}'s completion rate last month?", someone([1]))
    assert not answer.runs or answer.runs[0].refused
    assert f"called '{name}'" in answer.text and not re.search(r"\d%", answer.text)


def test_the_overall_row_sums_counts_and_recounts_rates():
    from ai.ask_tools import overall

    rows = pd.DataFrame(
        {
            "region": ["North", "South"],
            "applications": [10, 0],
            "approved": [3, 0],
            "declined": [1, 0],
            "approval_rate": [75.0, None],
        }
    )
    assert overall(rows) == {
        "region": "Overall",
        "applications": 10,
        "approved": 3,
        "declined": 1,
        "approval_rate": 75.0,
    }
    big_and_small = rows.assign(approved=[90, 1], declined=[10, 9], approval_rate=[90.0, 10.0])
    assert overall(big_and_small)["approval_rate"] == 82.7  # 91 of 110, not (90 + 10) / 2
    assert overall(rows.iloc[:1]) is None  # one region is its own overall
    assert overall(pd.DataFrame({"class": ["a", "b"], "present": [1, 2]})) is None
