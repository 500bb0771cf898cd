"""Ask a question in words: the model answers by calling a fixed set of safe tools
(`ai.ask_tools`: per region, or one tutor, customer or PE class, for a named period), run
inside the asker's region scope. It never writes SQL. Without an AI service, the question
is routed to a tool by its words and answered from a template; a question no tool fits is
answered with what can be answered, never with a nearby question's numbers. Either way the
answer lists the tools used and their numbers.
"""

from __future__ import annotations

import json
import numbers
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ai import client
from ai.ask_tools import (
    TOOLS,
    Refusal,
    RegionArgs,
    Scope,
    ToolRun,
    WindowArgs,
)
from ai.insights import NO_SERVICE
from analytics.narrative import unsupported_numbers
from data import accounts, cache, tutor_risk
from data.engine import connect
from data.queries import pe

__all__ = ["TOOLS", "Answer", "Scope", "ToolRun", "ask", "route", "run_tool", "template_answer"]

MAX_ROUNDS = 4
SYSTEM = (
    "You answer questions about an education company's operations with the tools given. "
    "Call tools for every number; quote numbers exactly as the tools return them and never "
    "compute new ones. Answer the question asked: a rate when it asks for a rate, a count "
    "when it asks for a count, for the one tutor, customer, class or period it names. If no "
    "tool fits the question, say plainly that you cannot answer it and which questions you "
    "can answer; never answer a nearby question instead. Two to four sentences."
)
RATE_WORDS = {"rate", "percent", "percentage", "share", "proportion", "%"}
# A name in a question: two or more capitalised words ("Ben Garcia", "Oakfield School 1").
NAME = re.compile(r"\b([A-Z][a-zà-ÿ'’-]+(?:\s+(?:[A-Z][a-zà-ÿ'’-]+|\d+))+)")
QUESTION_WORDS = {"which", "what", "how", "who", "when", "where", "show", "give", "tell", "is"}
# Topics people ask about that no tool covers: answered with what can be answered instead.
UNCOVERED = {
    "revenue", "profit", "profits", "salary", "salaries", "pay", "paid", "earn", "earns",
    "cost", "costs", "budget", "income", "price", "prices", "weather", "forecast", "predict",
}  # fmt: skip


@dataclass
class Answer:
    text: str
    source: str  # "ai" or "template"
    note: str | None
    runs: list[ToolRun]
    retry: bool = False


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
    try:
        run.title, run.rows = tool.run(args, region_ids)
    except Refusal as refusal:
        run.refused = str(refusal)
    return run


def _shown(column: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "none"
    if column.endswith("rate"):
        return f"{value}%"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return f"{int(value):,}"
    return str(value)


def _what_can_be_answered() -> str:
    return "; ".join(tool.description.rstrip(".") for tool in TOOLS.values()) + "."


def _label(column: str) -> str:
    return column.replace("_", " ").replace("high or critical", "at high or critical risk")


def template_answer(runs: list[ToolRun], measure: str | None = None) -> str:
    """The tools' numbers in sentences, the measure asked for first (or each tool's own)."""
    parts = []
    for run in runs:
        tool = TOOLS.get(run.name)
        if run.refused:
            parts.append(f"Not answered: {run.refused}.")
        elif run.rows.empty:
            parts.append(f"{run.title}: no data in your regions.")
        elif (
            tool is not None
            and "region" in run.rows.columns
            and len(run.rows.columns) > 1
            and (tool.arguments in (RegionArgs, WindowArgs))
        ):
            chosen = str(measure if measure in run.rows.columns else next(iter(tool.measures)))
            ranked = run.rows.dropna(subset=[chosen]).sort_values(
                [chosen, "region"], ascending=[False, True]
            )
            listed = ", ".join(
                f"{r['region']} {_shown(chosen, r[chosen])}" for _, r in ranked.iterrows()
            )
            top = ranked.iloc[0] if len(ranked) else None
            most = (
                f" The most: {top['region']} ({_shown(chosen, top[chosen])})."
                if top is not None and len(ranked) > 1
                else ""
            )
            parts.append(f"{run.title}, {_label(chosen)}: {listed}.{most}")
        else:
            row = run.rows.iloc[0]
            chosen = str(
                measure
                if tool and measure in run.rows.columns
                else (next(iter(tool.measures)) if tool else run.rows.columns[0])
            )
            rest = [c for c in run.rows.columns if c != chosen and not isinstance(row[c], str)]
            others = ", ".join(f"{_label(c)} {_shown(c, row[c])}" for c in rest)
            parts.append(f"{run.title}: {_label(chosen)} {_shown(chosen, row[chosen])} ({others}).")
    return " ".join(parts)


def _period(question: str) -> dict[str, Any]:
    text = question.lower()
    for words, period in (
        ("last month", "last_month"),
        ("previous month", "last_month"),
        ("this month", "this_month"),
        ("last year", "last_year"),
        ("this year", "this_year"),
    ):
        if words in text:
            return {"period": period}
    days = re.search(r"(\d{1,3})\s*days?", text)
    if days:
        return {"days": min(365, max(1, int(days.group(1))))}
    if re.search(r"\b(last|past|this) week\b", text):
        return {"days": 7}
    if re.search(r"\b(last|past) quarter\b|\b(last|past) 3 months\b", text):
        return {"days": 90}
    return {}


@dataclass(frozen=True)
class Routed:
    tool: str | None
    arguments: dict[str, Any]
    measure: str | None = None
    cannot: str | None = None  # why the question cannot be answered, when it cannot


def _names(question: str, regions: set[str]) -> list[str]:
    """Names in a question, without a leading question word and without region names."""
    found = []
    for match in NAME.findall(question):
        words = match.split()
        while words and words[0].lower() in QUESTION_WORDS:
            words = words[1:]
        name = re.sub(r"['’]s$", "", " ".join(words))  # "Ben Garcia's rate"
        if len(words) >= 2 and name.lower() not in regions:
            found.append(name)
    return found


def route(question: str, scope: Scope | None = None) -> Routed:
    """What a question asks, from its words (the template's router): the tool, its
    arguments and the measure; or why it cannot be answered. It never answers a nearby
    question: a name it cannot find, or a topic no tool covers, is said so."""
    words = set(re.findall(r"[a-z%\-]+", question.lower()))
    region_ids = scope.region_ids if scope else None
    with connect() as conn:
        known = accounts.regions_table(conn=conn)
    regions = {str(n).lower() for n in known["name"]} | {str(c).lower() for c in known["code"]}
    arguments: dict[str, Any] = {}
    for name in known["name"]:
        if re.search(rf"\b{re.escape(str(name).lower())}\b", question.lower()):
            arguments["region"] = str(name)
    uncovered = words & UNCOVERED
    if uncovered:
        return Routed(None, {}, cannot=f"nothing in Beacon measures {sorted(uncovered)[0]}")
    names = _names(question, regions)
    wants_rate = bool(words & RATE_WORDS)
    if names:
        return _route_named(names, question, words, wants_rate, region_ids)
    best = max(
        (n for n in TOOLS if TOOLS[n].arguments in (RegionArgs, WindowArgs)),
        key=lambda n: len(words & set(TOOLS[n].words)),
    )
    if not words & set(TOOLS[best].words):
        return Routed(None, {}, cannot="no tool covers that question")
    if TOOLS[best].arguments is WindowArgs:
        arguments |= _period(question)
    return Routed(best, arguments, _measure(best, words, wants_rate))


def _measure(tool: str, words: set[str], wants_rate: bool) -> str:
    measures = TOOLS[tool].measures
    if wants_rate:
        return next((m for m in measures if m.endswith("rate")), next(iter(measures)))
    for column, asked in list(measures.items())[1:]:
        if not column.endswith("rate") and words & set(asked):
            return column
    return next(iter(measures))


def _route_named(
    names: list[str],
    question: str,
    words: set[str],
    wants_rate: bool,
    region_ids: list[int] | None,
) -> Routed:
    """A question about one tutor, customer or class, by the name in it."""
    name = names[0]
    with connect() as conn:
        roster = tutor_risk.tutor_roster(conn=conn)
        classes = pe.filter_options(conn=conn, region_ids=region_ids)
    if region_ids is not None:
        roster = roster[roster["region_id"].isin(region_ids)]
    tutors = set(roster["name"].str.lower())
    schools = set(classes["school_name"].str.lower())
    grade = re.search(r"\bgrade\s*(\d+)", question.lower())
    school = next((n for n in names if n.lower() in schools), None)
    if school and grade:
        class_name = next(
            (
                c
                for c in classes.loc[
                    classes["school_name"].str.lower() == school.lower(), "class_name"
                ]
                if re.search(rf"\bgrade\s*{grade.group(1)}\b", c.lower())
            ),
            f"Grade {grade.group(1)} PE",
        )
        arguments = {"class_name": class_name, "school": school, **_period(question)}
        return Routed(
            "class_attendance", arguments, _measure("class_attendance", words, wants_rate)
        )
    if name.lower() in tutors or "tutor" in words or words & {"session", "sessions"}:
        arguments = {"tutor": name, **_period(question)}
        return Routed("tutor_sessions", arguments, _measure("tutor_sessions", words, wants_rate))
    return Routed(
        "customer_credit", {"customer": name}, _measure("customer_credit", words, wants_rate)
    )


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
    routed = route(question, scope)
    if routed.tool is None:
        why = f" ({routed.cannot})" if routed.cannot else ""
        text = f"I can't answer that from Beacon's data{why}. I can answer: "
        return Answer(text + _what_can_be_answered(), "template", note, [])
    runs = [run_tool(routed.tool, routed.arguments, scope)]
    return Answer(template_answer(runs, routed.measure), "template", note, runs)


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
