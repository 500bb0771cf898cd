"""Ask a question in words: the model answers by calling a fixed set of safe tools, our own
per-region roll-ups with validated arguments, run inside the asker's region scope. It never
writes SQL. Without an AI service, the question is routed to a tool by its words and
answered from a template. Either way the answer lists the tools used and their numbers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ai import client
from ai.insights import NO_SERVICE
from analytics.narrative import unsupported_numbers
from data import accounts, cache, tutor_risk
from data.engine import connect
from data.queries import home
from data.queries import regions as by_region

MAX_ROUNDS = 4
SYSTEM = (
    "You answer questions about an education company's operations with the tools given. "
    "Call tools for every number; quote numbers exactly as the tools return them and never "
    "compute new ones. If no tool fits, say which questions you can answer. Two to four "
    "sentences."
)


class RegionArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    region: str | None = Field(
        None, max_length=80, description="a region name or code; omit for all"
    )


class WindowArgs(RegionArgs):
    days: int = Field(30, ge=1, le=365, description="how many days back from the newest data")


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
        return json.dumps({"title": self.title, "rows": self.rows.to_dict("records")}, default=str)


@dataclass
class Answer:
    text: str
    source: str  # "ai" or "template"
    note: str | None
    runs: list[ToolRun]
    retry: bool = False


def _percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def _window(days: int) -> tuple[datetime, datetime]:
    """The last `days` days up to the newest day with data."""
    with connect() as conn:
        end = home.home_end(conn=conn)
    until = ((end or pd.Timestamp.now(tz="UTC").normalize()) + timedelta(days=1)).to_pydatetime()
    return until - timedelta(days=days), until


def _tutors_at_risk(args: RegionArgs, region_ids: list[int] | None) -> tuple[str, pd.DataFrame]:
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        if model is None:
            return "No tutor-risk scores yet", pd.DataFrame()
        as_of = tutor_risk.latest_scored_at(conn=conn, model_id=model["id"])
        if as_of is None:
            return "No tutor-risk scores yet", pd.DataFrame()
        rows = by_region.tutors_by_band(
            conn=conn, model_id=model["id"], as_of=as_of, region_ids=region_ids
        )
    wide = rows.pivot_table(index="region", columns="band", values="tutors", fill_value=0)
    wide = wide.reindex(columns=["critical", "high", "medium", "low"], fill_value=0).astype(int)
    wide = wide.sort_values(["critical", "high"], ascending=False).reset_index()
    return f"Tutors by risk band per region, scores of {as_of:%Y-%m-%d}", wide


def _with_rate(rows: pd.DataFrame, name: str, part: str, whole: pd.Series) -> pd.DataFrame:
    rows[name] = [_percent(p, w) for p, w in zip(rows[part], whole, strict=True)]
    return rows


def _sessions(args: WindowArgs, region_ids: list[int] | None) -> tuple[str, pd.DataFrame]:
    since, until = _window(args.days)
    with connect() as conn:
        rows = by_region.sessions_by_region(
            conn=conn, since=since, until=until, region_ids=region_ids
        )
    title = f"Tutoring sessions per region, last {args.days} days"
    return title, _with_rate(rows, "completion_rate", "completed", rows["held"])


def _applications(args: WindowArgs, region_ids: list[int] | None) -> tuple[str, pd.DataFrame]:
    since, until = _window(args.days)
    with connect() as conn:
        rows = by_region.applications_by_region(
            conn=conn, since=since, until=until, region_ids=region_ids
        )
    title = f"Credit applications per region, last {args.days} days"
    return title, _with_rate(rows, "approval_rate", "approved", rows["approved"] + rows["declined"])


def _attendance(args: WindowArgs, region_ids: list[int] | None) -> tuple[str, pd.DataFrame]:
    since, until = _window(args.days)
    with connect() as conn:
        rows = by_region.attendance_by_region(
            conn=conn, since=since.date(), until=until.date(), region_ids=region_ids
        )
    title = f"PE attendance per region, last {args.days} days"
    return title, _with_rate(rows, "attendance_rate", "present", rows["marks"])


@dataclass(frozen=True)
class Tool:
    description: str
    arguments: type[RegionArgs]
    run: Callable[[Any, list[int] | None], tuple[str, pd.DataFrame]]
    words: tuple[str, ...]  # how the template fallback recognises a question for it


TOOLS: dict[str, Tool] = {
    "tutors_at_risk_by_region": Tool(
        "Tutors per region in each churn-risk band (critical, high, medium, low), newest scores.",
        RegionArgs,
        _tutors_at_risk,
        ("risk", "critical", "churn", "leave", "leaving", "at-risk"),
    ),
    "tutoring_sessions_by_region": Tool(
        "Completed and held tutoring sessions per region, and the completion rate.",
        WindowArgs,
        _sessions,
        ("session", "sessions", "tutoring", "completed", "completion"),
    ),
    "credit_applications_by_region": Tool(
        "Credit applications per region: received, approved, declined, approval rate.",
        WindowArgs,
        _applications,
        ("credit", "application", "applications", "loan", "loans", "approval", "approved"),
    ),
    "pe_attendance_by_region": Tool(
        "PE attendance per region: places attended, marks taken, attendance rate.",
        WindowArgs,
        _attendance,
        ("attendance", "pe", "physical", "attended", "absent"),
    ),
}


def tool_specs() -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {
                "name": name,
                "description": tool.description,
                "parameters": tool.arguments.model_json_schema(),
            },
        }
        for name, tool in TOOLS.items()
    ]


def run_tool(name: str, arguments: dict[str, Any] | None, scope: Scope) -> ToolRun:
    """Validate, scope and run one tool call; a bad or out-of-scope call is refused, not run."""
    run = ToolRun(name, arguments if isinstance(arguments, dict) else {})
    tool = TOOLS.get(name)
    if tool is None:
        run.refused = f"there is no tool called {name!r}"
        return run
    if arguments is None:
        run.refused = "the arguments were not valid JSON"
        return run
    try:
        args = tool.arguments.model_validate(arguments)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        run.refused = f"invalid arguments ({problems})"
        return run
    region_ids = scope.region_ids
    if args.region:
        with connect() as conn:
            known = accounts.regions_table(conn=conn)
        wanted = args.region.strip().lower()
        match = known[(known["name"].str.lower() == wanted) | (known["code"].str.lower() == wanted)]
        if match.empty:
            run.refused = f"there is no region called {args.region!r}"
            return run
        region_id = int(match["id"].iloc[0])
        if scope.region_ids is not None and region_id not in scope.region_ids:
            run.refused = f"{args.region} is outside your regions"
            return run
        region_ids = [region_id]
    run.title, run.rows = tool.run(args, region_ids)
    return run


def template_answer(runs: list[ToolRun]) -> str:
    parts = []
    for run in runs:
        if run.refused:
            parts.append(f"Not answered: {run.refused}.")
        elif run.rows.empty:
            parts.append(f"{run.title}: no data in your regions.")
        else:
            measure = [c for c in run.rows.columns if c != "region"][0]
            listed = ", ".join(f"{row['region']} {row[measure]}" for _, row in run.rows.iterrows())
            top = run.rows.sort_values(measure, ascending=False).iloc[0]
            parts.append(
                f"{run.title} ({measure.replace('_', ' ')}): {listed}. "
                f"The most: {top['region']} ({top[measure]})."
            )
    return " ".join(parts)


def route(question: str) -> tuple[str, dict[str, Any]] | None:
    """The tool and arguments a question asks for, from its words (the fallback's router)."""
    words = set(re.findall(r"[a-z\-]+", question.lower()))
    best = max(TOOLS, key=lambda name: len(words & set(TOOLS[name].words)))
    if not words & set(TOOLS[best].words):
        return None
    arguments: dict[str, Any] = {}
    days = re.search(r"(\d{1,3})\s*days?", question.lower())
    if TOOLS[best].arguments is WindowArgs:
        if days:
            arguments["days"] = int(days.group(1))
        elif "week" in words:
            arguments["days"] = 7
        elif "year" in words:
            arguments["days"] = 365
    with connect() as conn:
        known = accounts.regions_table(conn=conn)
    for name in known["name"]:
        if name.lower() in words:
            arguments["region"] = name
    return best, arguments


def ask(question: str, scope: Scope) -> Answer:
    question = " ".join(question.split())[:300]
    if not client.configured():
        return _fallback(question, scope, NO_SERVICE)
    key = json.dumps(["ask", client.model_name(), question.lower(), scope.region_ids])
    try:
        return cache.remember(f"ai:{key}", lambda: _ask_model(question, scope))
    except client.AIUnavailable as error:
        answer = _fallback(question, scope, f"{error.message} Meanwhile, a template answer:")
        answer.retry = True
        return answer


def _fallback(question: str, scope: Scope, note: str) -> Answer:
    routed = route(question)
    if routed is None:
        topics = "; ".join(tool.description for tool in TOOLS.values())
        return Answer(f"I can answer questions about: {topics}", "template", note, [])
    runs = [run_tool(*routed, scope)]
    return Answer(template_answer(runs), "template", note, runs)


def _ask_model(question: str, scope: Scope) -> Answer:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": question},
    ]
    runs: list[ToolRun] = []
    until = client.deadline()  # the whole conversation, not each round, holds the worker
    for _ in range(MAX_ROUNDS):
        reply = client.chat(
            feature="ask",
            user_id=scope.user_id,
            messages=messages,
            tools=tool_specs(),
            until=until,
        )
        if not reply.tool_calls:
            sources = [run.result() for run in runs] + [question]
            invented = unsupported_numbers(reply.text, sources)
            if invented or not reply.text.strip():
                note = (
                    "The AI answer quoted numbers the tools did not return "
                    f"({', '.join(invented[:5])}), so the tools' numbers are shown instead."
                    if invented
                    else "The AI gave no answer, so a template answer is shown."
                )
                return Answer(template_answer(runs) or "No answer.", "template", note, runs)
            return Answer(reply.text.strip(), "ai", f"Answered by {client.model_name()}.", runs)
        messages.append(reply.message)
        for call in reply.tool_calls:
            run = run_tool(call.name, call.arguments, scope)
            runs.append(run)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": run.result()})
    return Answer(
        template_answer(runs),
        "template",
        f"The AI kept calling tools after {MAX_ROUNDS} rounds; the tools' numbers are shown.",
        runs,
    )
