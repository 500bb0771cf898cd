"""Words from numbers, without a model: the facts a page shows, the check that a text quotes
only those numbers, and the deterministic template texts used when no AI service answers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

NUMBER = re.compile(r"(?<![\w.])[-+−]?\d[\d,]*(?:\.\d+)?")


@dataclass(frozen=True)
class Fact:
    """One number as the page shows it: "Sessions completed, 30 days" = "1,204", "+3.1%"."""

    label: str
    value: str
    change: str | None = None
    wrong_way: bool = False  # the change is a change for the worse

    def line(self) -> str:
        change = f" (change: {self.change})" if self.change else ""
        return f"{self.label}: {self.value}{change}"


def _plain(token: str) -> float | None:
    try:
        return float(token.replace(",", "").replace("−", "-").lstrip("+"))
    except ValueError:
        return None


def numbers_in(text: str) -> list[str]:
    return NUMBER.findall(text)


def allowed_numbers(sources: Iterable[str]) -> set[float]:
    """Every number that appears in the given texts (labels, values, changes, tool results),
    also without its sign, so "−3.1%" allows "3.1%" ("fell by 3.1%")."""
    found: set[float] = set()
    for text in sources:
        for token in numbers_in(text):
            value = _plain(token)
            if value is not None:
                found |= {value, abs(value)}
    return found


def unsupported_numbers(text: str, sources: Iterable[str]) -> list[str]:
    """Numbers in `text` that appear in none of `sources`: a narrative must quote, not invent."""
    allowed = allowed_numbers(sources)
    return [
        token
        for token in numbers_in(text)
        if (value := _plain(token)) is not None and value not in allowed
    ]


def fact_sources(facts: Sequence[Fact]) -> list[str]:
    return [part for f in facts for part in (f.label, f.value, f.change or "")]


# Counts this small move by whole steps: 5 incidents falling to 2 is "60%" of nothing much.
FEW = 20
# A rate's points are weighed against the rate before, but never against less than this many
# points: 0.1% rising to 0.4% is not a change four times the size of anything else.
RATE_FLOOR = 5.0


def _first_token(text: str | None) -> str | None:
    tokens = numbers_in(text or "")
    return tokens[0] if tokens else None


def _change_size(fact: Fact) -> float:
    """How far the figure moved against where it was, in %, so that a rate's points and a
    count's percent compare: "▼ 4.5 pts" on 60.8% is 6.9% of the 65.3% before. A count (a
    whole number, not a rate or an average) that was and is under FEW ranks last, whatever
    its percent: 5 incidents falling to 2."""
    change_token, value_token = _first_token(fact.change), _first_token(fact.value)
    change = _plain(change_token) if change_token else None
    if change is None:
        return 0.0
    value = _plain(value_token) if value_token else None
    text = fact.change or ""
    fell = "▼" in text or change < 0
    size = abs(change)
    if "pts" in text:  # a rate: its points against the rate before
        if value is None:
            return size
        before = value + size if fell else value - size
        return 100 * size / max(before, RATE_FLOOR)
    count = value is not None and "%" not in fact.value and "." not in (value_token or "")
    if "%" in text:  # a percent change: a count's, or an average's
        if not count or value is None or (fell and size >= 100):
            return size
        before = value / (1 - size / 100) if fell else value / (1 + size / 100)
        return -1.0 if max(value, before) < FEW else size
    if value is None:  # a change in whole units ("▲ 7 since last week's scores")
        return size
    before = value + size if fell else value - size
    if count and max(value, before) < FEW:
        return -1.0
    return 100 * size / before if before > 0 else size


def explain_template(page: str, facts: Sequence[Fact]) -> str:
    """What the page shows, what changed most, and where to look next: from the facts only."""
    if not facts:
        return f"{page} has no numbers to describe in this view yet."
    shown = "; ".join(f.line() for f in facts)
    moved = sorted((f for f in facts if f.change), key=_change_size, reverse=True)
    parts = [f"{page} right now. {shown}."]
    if moved:
        top = moved[0]
        parts.append(f"The biggest change is {top.label.lower()}: {top.change}.")
        worse = [f for f in moved if f.wrong_way]
        if worse:
            parts.append(f"Look next at {worse[0].label.lower()}, which moved the wrong way.")
        else:
            parts.append("Nothing moved the wrong way in this period.")
    return " ".join(parts)


# What a manager can say to a tutor about each risk factor, in their words: the draft quoted
# the model ("Rating, last 30 days, against the tutor's usual rating: -0.99").
NOTICED = (
    ("rating", "your sessions' ratings have been a little lower lately"),
    ("volume", "you've had fewer sessions than usual"),
    ("sessions_", "you've had fewer sessions than usual"),
    ("missed", "more of your sessions than usual were missed, moved or cancelled"),
    ("no_show", "more of your sessions than usual were missed, moved or cancelled"),
    ("reschedule", "more of your sessions than usual were missed, moved or cancelled"),
    ("cancel", "more of your sessions than usual were missed, moved or cancelled"),
    ("first_session", "some first sessions with new students didn't go ahead"),
    ("load", "your timetable has been unusually full or empty"),
)


def noticed(factors: Sequence[dict]) -> list[str]:
    """The risk factors as a manager would put them to the tutor: no numbers, no model
    terms, each said once; the days since the last session as a count of days."""
    said: list[str] = []
    for factor in factors:
        feature, value = str(factor.get("feature", "")), factor.get("value")
        if feature == "days_since_last_session" and value is not None:
            line = f"it has been {int(value)} days since your last session"
        else:
            line = next((text for start, text in NOTICED if feature.startswith(start)), "")
        if line and line not in said:
            said.append(line)
    return [line[0].upper() + line[1:] + "." for line in said]


def tutor_message_template(
    tutor: str, factors: Sequence[str], interventions: Sequence[str], manager: str
) -> str:
    first = tutor.split()[0] if tutor.split() else tutor
    lines = [f"Hi {first},", ""]
    lines.append(
        "I'd like to check in on how things are going with your sessions and whether there "
        "is anything I can help with."
    )
    if factors:
        lines += ["", "A few things I noticed recently:"]
        lines += [f"- {factor}" for factor in factors]
    if interventions:
        lines += ["", "What we already agreed to work on:"]
        lines += [f"- {item}" for item in interventions]
    lines += [
        "",
        "Could we find twenty minutes this week to talk it through?",
        "",
        "Best wishes,",
        manager,
    ]
    return "\n".join(lines)


def lesson_plan_template(
    class_name: str,
    gaps: Sequence[tuple[str, str]],
    activities: Sequence[str],
    equipment: Sequence[str],
) -> str:
    """gaps: (skill, gap as shown) largest first; activities and equipment as named."""
    focus = gaps[0][0] if gaps else "general movement"
    lines = [f"Lesson plan for {class_name}: focus on {focus}", ""]
    lines.append("Warm-up (10 min): pulse raiser and dynamic stretches.")
    lines.append("")
    lines.append("Main (30 min):")
    lines += [f"- {activity}" for activity in (activities or ["Skill stations, in small groups"])]
    if gaps:
        lines += ["", "Why: the class's largest gaps against the grade benchmark are"]
        lines += [f"- {skill}: {gap}" for skill, gap in gaps]
    lines += ["", "Equipment: " + (", ".join(equipment) if equipment else "none recorded")]
    lines += ["", "Cool-down (5 min): stretches and a short reflection on one thing learned."]
    return "\n".join(lines)
