"""Each page's main filter callback, as the browser sends it: the callback (found by an
output id) and the values of its inputs. Unnamed inputs are sent empty (the page default)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Scenario:
    page: str
    output: str  # a component id that appears in the callback's output
    values: dict[str, Any] = field(default_factory=dict)  # component id -> value
    wildcard: dict[str, Any] = field(default_factory=dict)  # for pattern-matching ids


SCENARIOS = (
    Scenario("home (tutoring section)", "home-kpis", wildcard={"area": "tutoring"}),
    Scenario("home (credit section)", "home-kpis", wildcard={"area": "credit"}),
    Scenario("tutor risk: overview", "risk-kpis", {"risk-sort": "score"}),
    Scenario("tutor risk: table", "risk-table", {"risk-sort": "score", "risk-page": 1}),
    Scenario("schedules: week", "sched-body", {"sched-view": "week"}),
    Scenario("schedules: utilisation", "util-hosts", {"util-period": 56}),
    Scenario("credit: portfolio", "credit-table", {"credit-sort": "score", "credit-page": 1}),
    Scenario("credit: watchlist", "watch-table", {"watch-page": 1}),
    Scenario("credit: pricing", "pricing-kpis", {"pricing-cutoff": 520, "pricing-margin": 0.03}),
    Scenario("credit: journey", "journey-funnel", {"journey-period": 365}),
    Scenario("credit: monitoring", "monitor-drift"),
    Scenario("activity feed", "feed-list", {"feed-period": 30, "feed-page": 1}),
)
