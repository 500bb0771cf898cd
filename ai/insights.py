"""Explain a view, draft a message to a tutor, draft a lesson plan: through the AI service
when one is configured, from a template otherwise, and always saying which.

A model's text is used only if every number in it is one of the numbers it was given;
otherwise the template answer is shown, with the reason. Answers are cached by what was
asked (the facts carry the user's scope), so the same view does not pay twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ai import client
from analytics.narrative import (
    Fact,
    explain_template,
    fact_sources,
    lesson_plan_template,
    tutor_message_template,
    unsupported_numbers,
)
from data import cache

NO_SERVICE = "Written from a template: no AI service is configured (set OPENAI_API_KEY)."
SYSTEM = (
    "You write for managers of an education company. Be brief and concrete. Use only the "
    "numbers you are given, written exactly as given; never compute or invent a number. "
    "Never include personal data that you were not given."
)


@dataclass
class Insight:
    text: str
    source: str  # "ai" or "template"
    note: str | None = None
    retry: bool = False  # the service failed for now: offer to try again
    tools: list[str] = field(default_factory=list)


def _ask_model(
    *,
    feature: str,
    user_id: int | None,
    prompt: str,
    sources: Sequence[str],
    fallback: Callable[[], str],
) -> Insight:
    if not client.configured():
        return Insight(fallback(), "template", NO_SERVICE)
    key = hashlib.sha256(json.dumps([feature, client.model_name(), prompt]).encode()).hexdigest()

    def ask() -> str:
        reply = client.chat(
            feature=feature,
            user_id=user_id,
            messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}],
        )
        return reply.text.strip()

    try:
        text = cache.remember(f"ai:{key}", ask)
    except client.AIUnavailable as error:
        return Insight(
            fallback(), "template", f"{error.message} Meanwhile, a template answer:", True
        )
    invented = unsupported_numbers(text, sources)
    if not text or invented:
        cache.forget(f"ai:{key}")
        why = (
            f"quoted numbers that are not on the page ({', '.join(invented[:5])})"
            if invented
            else "was empty"
        )
        return Insight(
            fallback(), "template", f"The AI answer {why}, so a template answer is shown.", True
        )
    return Insight(text, "ai", f"Written by {client.model_name()} from the numbers on this page.")


def explain(*, page: str, facts: Sequence[Fact | tuple], user_id: int | None) -> Insight:
    """A short narrative of a view: what it shows, what changed, where to look next.
    `facts` are `Fact`s or tuples of their fields (e.g. KPI cards read back)."""
    shown = [f if isinstance(f, Fact) else Fact(*f) for f in facts]
    prompt = (
        f"The page '{page}' shows these numbers now:\n"
        + "\n".join(f"- {f.line()}" for f in shown)
        + "\n\nIn at most 5 sentences: what the page shows, what changed or stands out, and "
        "where to look next."
    )
    return _ask_model(
        feature="explain",
        user_id=user_id,
        prompt=prompt,
        sources=fact_sources(shown) + [page],
        fallback=lambda: explain_template(page, shown),
    )


def tutor_message(
    *, tutor: str, factors: Sequence[str], interventions: Sequence[str], manager: str, user_id: int
) -> Insight:
    prompt = (
        f"Draft a short, kind message from {manager} (their manager) to the tutor {tutor}. "
        "Open a conversation; do not mention scores or risk models. Things noticed:\n"
        + "\n".join(f"- {f}" for f in factors)
        + "\nWhat was already agreed:\n"
        + ("\n".join(f"- {i}" for i in interventions) or "- nothing yet")
    )
    return _ask_model(
        feature="tutor_message",
        user_id=user_id,
        prompt=prompt,
        sources=[*factors, *interventions, tutor, manager, "a talk of 15 20 30 minutes"],
        fallback=lambda: tutor_message_template(tutor, factors, interventions, manager),
    )


def lesson_plan(
    *,
    class_name: str,
    gaps: Sequence[tuple[str, str]],
    activities: Sequence[str],
    equipment: Sequence[str],
    user_id: int,
) -> Insight:
    prompt = (
        f"Draft a 45-minute PE lesson plan for class {class_name}. Largest skill gaps "
        "against the grade benchmark:\n"
        + "\n".join(f"- {skill}: {gap}" for skill, gap in gaps)
        + "\nSuggested activities:\n"
        + "\n".join(f"- {a}" for a in activities)
        + "\nEquipment available: "
        + (", ".join(equipment) or "none recorded")
        + "\nGive warm-up, main part and cool-down, as plain text."
    )
    durations = "lesson parts of 5 10 15 20 25 30 35 40 45 minutes"
    sources = [class_name, *activities, *equipment, *(f"{s} {g}" for s, g in gaps), durations]
    return _ask_model(
        feature="lesson_plan",
        user_id=user_id,
        prompt=prompt,
        sources=sources,
        fallback=lambda: lesson_plan_template(class_name, gaps, activities, equipment),
    )
