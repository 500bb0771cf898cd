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
    overall,
)
from ai.insights import NO_SERVICE
from analytics.narrative import unsupported_numbers
from data import accounts, cache, tutor_risk
from data.engine import connect
from data.queries import pe

__all__ = [
    "TOOLS",
    "Answer",
    "Scope",
    "ToolRun",
    "ask",
    "overall",
    "route",
    "run_tool",
    "template_answer",
]

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
QUESTION_WORDS = {
    "which", "what", "how", "who", "when", "where", "show", "give", "tell", "is", "did", "does",
    "do", "for", "in", "at", "on", "from", "has", "have", "had", "was", "were", "are", "can",
    "could", "please", "list", "compare", "and", "the", "about",
}  # fmt: skip
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


def shown(column: str, value: Any) -> str:
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


def template_answer(runs: list[ToolRun], measure: str | None = None, lowest: bool = False) -> str:
    """The tools' numbers in sentences, the measure asked for first (or each tool's own);
    per region, ranked from the most (or, `lowest`, the least)."""
    parts = []
    for run in runs:
        tool = TOOLS.get(run.name)
        if run.refused:
            parts.append(f"Not answered: {run.refused}.")
        elif run.rows.empty:
            parts.append(f"{run.title}: no data in your regions.")
        elif tool is not None and tool.arguments in (RegionArgs, WindowArgs):
            chosen = str(measure if measure in run.rows.columns else tool.measures[0].count)
            ranked = run.rows.dropna(subset=[chosen]).sort_values(
                [chosen, "region"], ascending=[lowest, True]
            )
            listed = ", ".join(
                f"{r['region']} {shown(chosen, r[chosen])}" for _, r in ranked.iterrows()
            )
            every = overall(run.rows)
            if every is not None and every.get(chosen) is not None:
                # "How many sessions last week?" is answered first in one figure.
                listed = f"{shown(chosen, every[chosen])} in all; {listed}"
            top = ranked.iloc[0] if len(ranked) > 1 else None
            most = (
                f" The {'least' if lowest else 'most'}: {top['region']} "
                f"({shown(chosen, top[chosen])})."
                if top is not None
                else ""
            )
            parts.append(f"{run.title}, {_label(chosen)}: {listed}.{most}")
        else:
            row = run.rows.iloc[0]
            default = tool.measures[0].count if tool else None
            chosen = str(measure if measure in run.rows.columns else default or row.index[0])
            rest = [c for c in run.rows.columns if c != chosen and not isinstance(row[c], str)]
            others = ", ".join(f"{_label(c)} {shown(c, row[c])}" for c in rest)
            parts.append(f"{run.title}: {_label(chosen)} {shown(chosen, row[chosen])} ({others}).")
    return " ".join(parts)


PERIODS = (  # phrase -> the arguments it means; unknown periods are said so, not guessed
    (r"\blast month\b|\bprevious month\b", {"period": "last_month"}),
    (r"\bthis month\b", {"period": "this_month"}),
    (r"\blast year\b|\bprevious year\b", {"period": "last_year"}),
    (r"\bthis year\b|\byear to date\b", {"period": "this_year"}),
    (r"\b(?:past|last) (?:12 months|year)\b", {"days": 365}),
    (r"\b(?:past|last|this) week\b", {"days": 7}),
    (r"\b(?:past|last) (?:quarter|3 months|three months)\b", {"days": 90}),
    (r"\b(?:past|last) (?:6 months|six months|half year)\b", {"days": 182}),
    (r"\byesterday\b|\btoday\b", {"days": 1}),
)
UNREAD_PERIOD = re.compile(
    r"\b(?:in|during|since) (?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december|spring|summer|autumn|winter|q[1-4])\b|\bquarter\b"
)


def _period(question: str) -> dict[str, Any] | None:
    """The period a question names, as tool arguments ({}: none named, the last 30 days);
    None when it names one Ask cannot read (a month by name, more than a year)."""
    text = question.lower()
    for pattern, arguments in PERIODS:
        if re.search(pattern, text):
            return dict(arguments)
    count = re.search(r"\b(\d+)\s*(day|week|month)s?\b", text)
    if count:
        days = int(count.group(1)) * {"day": 1, "week": 7, "month": 30}[count.group(2)]
        return {"days": days} if 1 <= days <= 365 else None
    return None if UNREAD_PERIOD.search(text) else {}


@dataclass(frozen=True)
class Routed:
    tool: str | None
    arguments: dict[str, Any]
    measure: str | None = None
    lowest: bool = False
    cannot: str | None = None  # why the question cannot be answered, when it cannot


RATE_IMPLIED = {"attendance", "completion", "approval"}  # "PE attendance" asks for a rate
LOWEST = {"lowest", "least", "fewest", "smallest", "minimum", "worst-attended"}
CUSTOMER_WORDS = {"customer", "customers", "applicant", "credit", "application", "applications"}
CUSTOMER_WORDS |= {"applied", "score", "scored", "band", "loan", "loans", "approval"}


def _asked(tool: str, question: str, words: set[str]) -> tuple[str | None, str | None]:
    """The column a question asks of a tool, and why it cannot be given when it cannot. The
    longest phrase naming a measure decides ("high or critical" over "critical", "declined"
    over the default "applications"); a rate when a rate is asked (or meant: "attendance"),
    unless it asks how many."""
    text = " ".join(re.findall(r"[a-z%\-]+", question.lower()))
    default, *others = TOOLS[tool].measures
    best, length = default, 0
    for measure in TOOLS[tool].measures:
        for phrase in measure.words:
            if measure is default and " " not in phrase:
                continue  # the default's own noun ("applications") names no other measure
            if len(phrase) > length and re.search(
                rf"(?<![a-z-]){re.escape(phrase)}(?![a-z-])", text
            ):
                best, length = measure, len(phrase)
    counting = "how many" in text or "number of" in text
    wants_rate = bool(words & RATE_WORDS) or (bool(words & RATE_IMPLIED) and not counting)
    if wants_rate and best is default and best.rate is None:
        # "The best tutoring rate": a rate asked of a tool whose default counts all (its
        # sessions) is its first rate, the completion rate.
        best = next((m for m in TOOLS[tool].measures if m.rate is not None), best)
    if wants_rate and best.rate is None:
        label = _label(best.count or "that")
        return None, f"there is no rate of {label}; ask how many instead"
    return (best.rate if wants_rate else best.count), None


def _names(question: str, regions: set[str]) -> list[str]:
    """Names in a question, without a leading word that is not a name ("Did", "In") nor a
    possessive; a region's name ("North Region") is not one."""
    found = []
    for match in NAME.findall(question):
        words = match.split()
        while words and words[0].lower() in QUESTION_WORDS:
            words = words[1:]
        if all(w.lower() in regions or w.lower() in ("region", "regions") for w in words):
            continue  # "North Region"
        name = re.sub(r"['’]s$", "", " ".join(words))
        if len(name.split()) >= 2:
            found.append(name)
    return found


def route(question: str, scope: Scope | None = None) -> Routed:
    """What a question asks, from its words (the template's router): the tool, its
    arguments and the measure; or why it cannot be answered. It never answers a nearby
    question: a name it cannot find, a topic, a measure or a period no tool covers is said
    so."""
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
    period = _period(question)
    if period is None:
        return Routed(None, {}, cannot="Ask reads periods of days, weeks, this or last month "
                      "or year, up to a year back; not that one")  # fmt: skip
    lowest = bool(words & LOWEST)
    named = _route_named(question, words, regions, arguments, period, region_ids)
    if named is not None:
        return named
    best = max(
        (n for n in TOOLS if TOOLS[n].arguments in (RegionArgs, WindowArgs)),
        key=lambda n: len(words & _topic(n)),
    )
    if not words & _topic(best):
        return Routed(None, {}, cannot="no tool covers that question")
    if TOOLS[best].arguments is WindowArgs:
        arguments |= period
    column, cannot = _asked(best, question, words)
    if cannot:
        return Routed(None, {}, cannot=cannot)
    return Routed(best, arguments, column, lowest)


def _topic(tool: str) -> set[str]:
    """The words that point at a tool: its own, and the one-word names of its measures."""
    measured = {p for m in TOOLS[tool].measures for p in m.words if " " not in p}
    return set(TOOLS[tool].words) | measured


def _route_named(
    question: str,
    words: set[str],
    regions: set[str],
    arguments: dict[str, Any],
    period: dict[str, Any],
    region_ids: list[int] | None,
) -> Routed | None:
    """A question about one tutor, customer (by name or number) or class; None when it
    names none. A name that is neither a tutor nor asked about as a customer is said so."""
    number = re.search(r"\bcustomer\s*(?:number|no\.?|#)?\s*#?(\d+)\b", question.lower())
    names = _names(question, regions)
    if not names and not number:
        return None
    with connect() as conn:
        roster = tutor_risk.tutor_roster(conn=conn)
        classes = pe.filter_options(conn=conn, region_ids=region_ids)
    if region_ids is not None:
        roster = roster[roster["region_id"].isin(region_ids)]
    schools = set(classes["school_name"].str.lower())
    grade = re.search(r"\bgrade\s*(\d+)", question.lower())
    school = next((n for n in names if n.lower() in schools), None)
    if school and grade:
        in_school = classes.loc[classes["school_name"].str.lower() == school.lower()]
        class_name = next(
            (
                c
                for c in in_school["class_name"]
                if re.search(rf"\bgrade\s*{grade.group(1)}\b", c.lower())
            ),
            f"Grade {grade.group(1)} PE",
        )
        tool, args = "class_attendance", {"class_name": class_name, "school": school, **period}
    elif number:
        tool, args = "customer_credit", {"customer": number.group(1)}
    elif names[0].lower() in set(roster["name"].str.lower()) or words & {
        "tutor",
        "session",
        "sessions",
    }:
        tool, args = "tutor_sessions", {"tutor": names[0], **period}
    elif words & CUSTOMER_WORDS:
        tool, args = "customer_credit", {"customer": names[0]}
    else:
        return Routed(
            None, {}, cannot=f"there is no tutor or customer called {names[0]!r} in your regions"
        )
    if "region" in arguments:
        args["region"] = arguments["region"]
    column, cannot = _asked(tool, question, words)
    if cannot:
        return Routed(None, {}, cannot=cannot)
    return Routed(tool, args, column)


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
    return Answer(template_answer(runs, routed.measure, routed.lowest), "template", note, runs)


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
