"""The tools Ask answers with: our own read queries with validated arguments, run inside the
asker's region scope. Each answers one kind of question: per region (risk, sessions,
applications, attendance), or about one tutor, one customer or one PE class, for a period
that is named in words ("last month" is the calendar month before the newest data).

Every tool returns a title that names its period, and rows whose rates are percentages with
one decimal, so that a model (or the template) quotes numbers exactly as they are."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from data import accounts, credit, tutor_care, tutor_risk
from data.engine import connect
from data.queries import home, pe
from data.queries import regions as by_region

Period = Literal[
    "last_7_days",
    "last_30_days",
    "last_90_days",
    "last_365_days",
    "this_month",
    "last_month",
    "this_year",
    "last_year",
]
HELD = ("completed", "no_show", "cancelled", "rescheduled")


class RegionArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    region: str | None = Field(
        None, max_length=80, description="a region name or code; omit for all"
    )


class WindowArgs(RegionArgs):
    days: int = Field(30, ge=1, le=365, description="how many days back from the newest data")
    period: Period | None = Field(
        None, description="a named period instead of days; months and years are calendar ones"
    )


class TutorArgs(WindowArgs):
    tutor: str = Field(min_length=2, max_length=120, description="the tutor's full name")


class CustomerArgs(RegionArgs):
    customer: str = Field(
        min_length=1, max_length=120, description="the customer's full name or number"
    )


class ClassArgs(WindowArgs):
    class_name: str = Field(min_length=2, max_length=120, description="e.g. 'Grade 3 PE'")
    school: str | None = Field(
        None, max_length=120, description="the school, when class names repeat"
    )


@dataclass
class Scope:
    user_id: int
    region_ids: list[int] | None  # None: every region


@dataclass
class ToolRun:
    name: str
    arguments: dict[str, Any]
    title: str = ""
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    refused: str | None = None

    def result(self) -> str:
        if self.refused:
            return json.dumps({"refused": self.refused})
        answer: dict[str, Any] = {"title": self.title, "rows": self.rows.to_dict("records")}
        if (every := overall(self.rows)) is not None:
            answer["all_regions_shown"] = every
        return json.dumps(answer, default=str)


class Refusal(Exception):
    """A tool that cannot answer (no such tutor in scope, two of that name): its reason."""


def rate(part: pd.Series, whole: pd.Series) -> pd.Series:
    """Percentages with one decimal; None where there is nothing to divide by."""
    return pd.Series(
        [round(100 * p / w, 1) if w else None for p, w in zip(part, whole, strict=True)],
        index=part.index,
        dtype=object,
    )


# Each rate's part and the columns its whole sums: an overall rate is recounted from the
# summed counts (the mean of the regions' rates would weigh a small region like a big one).
RATE_PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    **{
        f"{band}_rate": (band, ("tutors",))
        for band in ("high_or_critical", "critical", "high", "medium", "low")
    },
    "completion_rate": ("completed", ("sessions",)),
    "no_show_rate": ("no_show", ("sessions",)),
    "cancellation_rate": ("cancelled", ("sessions",)),
    "approval_rate": ("approved", ("approved", "declined")),
    "decline_rate": ("declined", ("approved", "declined")),
    "attendance_rate": ("present", ("marks",)),
    "absence_rate": ("absent", ("marks",)),
}
EVERY_REGION = "Overall"


def overall(rows: pd.DataFrame) -> dict[str, Any] | None:
    """The regions' rows as one (region `EVERY_REGION`): counts summed, rates recounted from
    them; None for fewer than two regions, or for rows that are not per region."""
    if "region" not in rows.columns or len(rows) < 2:
        return None
    total: dict[str, Any] = {"region": EVERY_REGION}
    for column in rows.columns:
        if column in RATE_PARTS:
            part, whole = RATE_PARTS[column]
            if {part, *whole} <= set(rows.columns):
                counted = sum(int(rows[c].sum()) for c in whole)
                total[column] = round(100 * int(rows[part].sum()) / counted, 1) if counted else None
            else:
                total[column] = None
        elif column != "region" and pd.api.types.is_integer_dtype(rows[column]):
            total[column] = int(rows[column].sum())
        elif column != "region":
            total[column] = None
    return total


def window(args: WindowArgs) -> tuple[datetime, datetime, str]:
    """[since, until) and its words, counted back from the newest day with data."""
    with connect() as conn:
        end = home.home_end(conn=conn)
    last = (end or pd.Timestamp.now(tz="UTC")).normalize()
    until = last + timedelta(days=1)
    named = args.period
    if named is None or named.startswith("last_") and named.endswith("_days"):
        days = int(named.split("_")[1]) if named else args.days
        since = until - timedelta(days=days)
        words = f"the last {days} days"
    elif named in ("this_month", "last_month"):
        first = last.replace(day=1)
        since, until = (
            (first, until)
            if named == "this_month"
            else ((first - timedelta(days=1)).replace(day=1), first)
        )
        words = f"{since:%B %Y}" + (" so far" if named == "this_month" else "")
    else:
        first = last.replace(month=1, day=1)
        since, until = (
            (first, until) if named == "this_year" else (first.replace(year=first.year - 1), first)
        )
        words = f"{since:%Y}" + (" so far" if named == "this_year" else "")
    last_day = until - timedelta(days=1)
    span = f"{since:%Y-%m-%d} to {last_day:%Y-%m-%d}"
    return since.to_pydatetime(), until.to_pydatetime(), f"{words} ({span})"


def _tutors_at_risk(args: RegionArgs, region_ids: list[int] | None) -> tuple[str, pd.DataFrame]:
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        as_of = tutor_risk.latest_scored_at(conn=conn, model_id=model["id"]) if model else None
        if model is None or as_of is None:
            return "No tutor-risk scores yet", pd.DataFrame()
        rows = by_region.tutors_by_band(
            conn=conn, model_id=model["id"], as_of=as_of, region_ids=region_ids
        )
    wide = rows.pivot_table(index="region", columns="band", values="tutors", fill_value=0)
    wide = wide.reindex(columns=["critical", "high", "medium", "low"], fill_value=0).astype(int)
    wide["high_or_critical"] = wide["critical"] + wide["high"]
    wide["tutors"] = wide[["critical", "high", "medium", "low"]].sum(axis=1)
    for band in ("high_or_critical", "critical", "high", "medium", "low"):
        wide[f"{band}_rate"] = rate(wide[band], wide["tutors"])
    wide = wide.sort_values(["critical", "high"], ascending=False).reset_index()
    return f"Tutors by risk band per region, scores of {as_of:%Y-%m-%d}", wide


def _sessions(args: WindowArgs, region_ids: list[int] | None) -> tuple[str, pd.DataFrame]:
    since, until, words = window(args)
    with connect() as conn:
        rows = by_region.sessions_by_region(
            conn=conn, since=since, until=until, region_ids=region_ids
        )
    rows["completion_rate"] = rate(rows["completed"], rows["sessions"])
    rows["no_show_rate"] = rate(rows["no_show"], rows["sessions"])
    rows["cancellation_rate"] = rate(rows["cancelled"], rows["sessions"])
    return f"Tutoring sessions per region, {words}", rows


def _applications(args: WindowArgs, region_ids: list[int] | None) -> tuple[str, pd.DataFrame]:
    since, until, words = window(args)
    with connect() as conn:
        rows = by_region.applications_by_region(
            conn=conn, since=since, until=until, region_ids=region_ids
        )
    rows["approval_rate"] = rate(rows["approved"], rows["approved"] + rows["declined"])
    rows["decline_rate"] = rate(rows["declined"], rows["approved"] + rows["declined"])
    return f"Credit applications per region, {words}", rows


def _attendance(args: WindowArgs, region_ids: list[int] | None) -> tuple[str, pd.DataFrame]:
    since, until, words = window(args)
    with connect() as conn:
        rows = by_region.attendance_by_region(
            conn=conn, since=since.date(), until=until.date(), region_ids=region_ids
        )
    rows["absent"] = rows["marks"] - rows["present"]
    rows["attendance_rate"] = rate(rows["present"], rows["marks"])
    rows["absence_rate"] = rate(rows["absent"], rows["marks"])
    return f"PE attendance per region, {words}", rows


def _one(found: pd.DataFrame, kind: str, name: str) -> pd.Series:
    """The one match of a name in scope; a refusal for none (never saying whether one exists
    elsewhere) or for several."""
    if found.empty:
        raise Refusal(f"there is no {kind} called {name!r} in your regions")
    if len(found) > 1:
        raise Refusal(f"{len(found)} {kind}s are called {name!r}; name the region too")
    return found.iloc[0]


def _tutor(args: TutorArgs, region_ids: list[int] | None) -> tuple[str, pd.DataFrame]:
    since, until, words = window(args)
    with connect() as conn:
        roster = tutor_risk.tutor_roster(conn=conn)
        regions = accounts.regions_table(conn=conn).set_index("id")["name"]
        in_scope = roster if region_ids is None else roster[roster["region_id"].isin(region_ids)]
        tutor = _one(
            in_scope[in_scope["name"].str.lower() == args.tutor.strip().lower()],
            "tutor",
            args.tutor,
        )
        sessions = tutor_risk.session_history(conn=conn, since=since, tutor_ids=[int(tutor["id"])])
        model = tutor_risk.active_model(conn=conn)
        scores = (
            tutor_care.score_history(conn=conn, model_id=model["id"], tutor_ids=[int(tutor["id"])])
            if model
            else pd.DataFrame()
        )
    sessions = sessions[sessions["scheduled_start"] < pd.Timestamp(until)]
    counts = sessions["status"].value_counts()
    held = int(sum(counts.get(s, 0) for s in HELD))
    row = {
        "tutor": tutor["name"],
        "region": regions.get(tutor["region_id"]),
        "completed": int(counts.get("completed", 0)),
        "no_show": int(counts.get("no_show", 0)),
        "cancelled": int(counts.get("cancelled", 0)),
        "rescheduled": int(counts.get("rescheduled", 0)),
        "sessions": held,
        "completion_rate": round(100 * counts.get("completed", 0) / held, 1) if held else None,
        "no_show_rate": round(100 * counts.get("no_show", 0) / held, 1) if held else None,
        "cancellation_rate": round(100 * counts.get("cancelled", 0) / held, 1) if held else None,
        "risk_score": int(scores["score"].iloc[-1]) if len(scores) else None,
        "risk_band": str(scores["band"].iloc[-1]) if len(scores) else None,
    }
    return f"Sessions of {tutor['name']}, {words}", pd.DataFrame([row])


def _customer(args: CustomerArgs, region_ids: list[int] | None) -> tuple[str, pd.DataFrame]:
    wanted = args.customer.strip()
    with connect() as conn:
        escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        found = credit.find_customers(conn=conn, region_ids=region_ids, text=escaped, limit=50)
        exact = found[
            (found["name"].str.lower() == wanted.lower())
            | (found["id"].astype(str) == wanted.lstrip("#"))
        ]
        if wanted.lstrip("#").isdigit() and exact.empty:
            by_number = credit.customer(conn=conn, customer_id=int(wanted.lstrip("#")))
            if by_number and (region_ids is None or by_number["region_id"] in region_ids):
                exact = pd.DataFrame([by_number])[["id", "name", "region_id"]]
        customer = _one(exact, "customer", wanted)
        model = credit.active_model(conn=conn)
        applications = credit.customer_applications(
            conn=conn, customer_id=int(customer["id"]), model_id=model["id"] if model else None
        )
        regions = accounts.regions_table(conn=conn).set_index("id")["name"]
    decided = applications["status"].isin(("approved", "declined"))
    approved = int((applications["status"] == "approved").sum())
    scored = applications.dropna(subset=["score"])
    row = {
        "customer": customer["name"],
        "customer_number": int(customer["id"]),
        "region": regions.get(customer["region_id"]),
        "applications": len(applications),
        "approved": approved,
        "declined": int((applications["status"] == "declined").sum()),
        "approval_rate": round(100 * approved / decided.sum(), 1) if decided.sum() else None,
        "decline_rate": round(100 * (decided.sum() - approved) / decided.sum(), 1)
        if decided.sum()
        else None,
        "latest_score": int(scored["score"].iloc[0]) if len(scored) else None,
        "latest_band": str(scored["band"].iloc[0]) if len(scored) else None,
    }
    return f"Credit applications of {customer['name']}, all time", pd.DataFrame([row])


def _class(args: ClassArgs, region_ids: list[int] | None) -> tuple[str, pd.DataFrame]:
    since, until, words = window(args)
    with connect() as conn:
        classes = pe.filter_options(conn=conn, region_ids=region_ids)
        match = classes[classes["class_name"].str.lower() == args.class_name.strip().lower()]
        if args.school:
            match = match[match["school_name"].str.lower() == args.school.strip().lower()]
        label = f"{args.class_name} at {args.school}" if args.school else args.class_name
        chosen = _one(match, "class", label)
        scope = pe.PEFilter(
            start=since.date(),
            end=(until - timedelta(days=1)).date(),
            region_ids=region_ids,
            class_id=int(chosen["class_id"]),
        )
        daily = pe.attendance_daily(conn=conn, scope=scope)
    present, marks = int(daily["present"].sum()), int(daily["expected"].sum())
    row = {
        "class": chosen["class_name"],
        "school": chosen["school_name"],
        "present": present,
        "marks": marks,
        "absent": marks - present,
        "attendance_rate": round(100 * present / marks, 1) if marks else None,
        "absence_rate": round(100 * (marks - present) / marks, 1) if marks else None,
    }
    return f"PE attendance of {chosen['class_name']} at {chosen['school_name']}, {words}", (
        pd.DataFrame([row])
    )


@dataclass(frozen=True)
class Measure:
    """What a question can ask of a tool: a count column, its rate column (None: there is no
    rate of it), and the words or phrases that ask for it (the first measure is the default)."""

    count: str | None
    rate: str | None
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tool:
    description: str
    arguments: type[RegionArgs]
    run: Callable[[Any, list[int] | None], tuple[str, pd.DataFrame]]
    words: tuple[str, ...]  # how the template fallback recognises a question for it
    measures: tuple[Measure, ...]  # the first is what a question asks when it names none


TOOLS: dict[str, Tool] = {
    "tutors_at_risk_by_region": Tool(
        "Tutors per region in each churn-risk band (critical, high, medium, low), each as a "
        "number and a percentage of the region's tutors, newest scores.",
        RegionArgs,
        _tutors_at_risk,
        ("risk", "critical", "churn", "leave", "leaving", "at-risk"),
        (
            Measure("high_or_critical", "high_or_critical_rate", ("high or critical", "at risk")),
            Measure("critical", "critical_rate", ("critical",)),
            Measure("high", "high_rate", ("high risk", "high")),
            Measure("medium", "medium_rate", ("medium",)),
            Measure("low", "low_rate", ("low risk", "low")),
        ),
    ),
    "tutoring_sessions_by_region": Tool(
        "Tutoring sessions per region: every session of the period that is no longer "
        "scheduled (completed, no-show, cancelled or rescheduled), the completed, the no-shows "
        "and the cancelled, with the completion, no-show and cancellation rates (%) of all of "
        "them.",
        WindowArgs,
        _sessions,
        ("session", "sessions", "tutoring", "completed", "completion", "no-show", "no-shows"),
        (
            # "How many sessions" counts them all; "completed" and the others name theirs.
            Measure("sessions", None, ("sessions", "session", "held")),
            Measure("completed", "completion_rate", ("completed", "complete", "completion")),
            Measure("no_show", "no_show_rate", ("no-show", "no-shows", "no show", "missed")),
            Measure("cancelled", "cancellation_rate", ("cancelled", "canceled", "cancel")),
        ),
    ),
    "credit_applications_by_region": Tool(
        "Credit applications per region: received, approved, declined, approval and decline "
        "rates (%).",
        WindowArgs,
        _applications,
        ("credit", "application", "applications", "loan", "loans", "approval", "approved"),
        (
            Measure("applications", None, ("applications", "application", "received")),
            Measure("approved", "approval_rate", ("approved", "approval", "approve")),
            Measure("declined", "decline_rate", ("declined", "decline", "rejected", "reject")),
        ),
    ),
    "pe_attendance_by_region": Tool(
        "PE attendance per region: places attended, absences, marks taken, attendance and "
        "absence rates (%).",
        WindowArgs,
        _attendance,
        ("attendance", "pe", "physical", "attended", "absent", "absence", "absences"),
        (
            Measure("present", "attendance_rate", ("attendance", "attended", "present")),
            Measure("absent", "absence_rate", ("absent", "absence", "absences", "missed")),
            Measure("marks", None, ("marks",)),
        ),
    ),
    "tutor_sessions": Tool(
        "One tutor's sessions in a period: completed, no-shows, cancelled, rescheduled, all of "
        "them (sessions), completion, no-show and cancellation rates (%), and their newest risk "
        "score and band.",
        TutorArgs,
        _tutor,
        ("tutor", "sessions", "session", "completed", "complete"),
        (
            Measure("sessions", None, ("sessions", "session", "held")),
            Measure("completed", "completion_rate", ("completed", "complete", "completion")),
            Measure("no_show", "no_show_rate", ("no-show", "no-shows", "no show", "missed")),
            Measure("cancelled", "cancellation_rate", ("cancelled", "canceled", "cancel")),
            Measure("risk_score", None, ("risk", "score")),
        ),
    ),
    "customer_credit": Tool(
        "One credit customer (by name or number): applications, approved, declined, approval "
        "and decline rates (%), newest score and band.",
        CustomerArgs,
        _customer,
        ("customer", "applicant", "credit", "applications", "score"),
        (
            Measure("applications", None, ("applications", "applied")),
            Measure("approved", "approval_rate", ("approved", "approval")),
            Measure("declined", "decline_rate", ("declined", "decline", "rejected")),
            Measure("latest_score", None, ("score", "band")),
        ),
    ),
    "class_attendance": Tool(
        "One PE class's attendance in a period: places attended, absences, marks taken, "
        "attendance and absence rates (%).",
        ClassArgs,
        _class,
        ("class", "attendance", "attended"),
        (
            Measure("present", "attendance_rate", ("attendance", "attended", "present")),
            Measure("absent", "absence_rate", ("absent", "absence", "absences")),
        ),
    ),
}
