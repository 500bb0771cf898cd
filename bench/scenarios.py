"""Each page's main filter callback, as the browser sends it: the callback (found by an
output id) and the values of its inputs. Unnamed inputs are sent empty (the page default)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Scenario:
    page: str
    path: str
    output: str  # a component id that appears in the callback's output
    values: dict[str, Any] = field(default_factory=dict)  # component id -> value
    wildcard: dict[str, Any] = field(default_factory=dict)  # for pattern-matching ids


def grid_rows(page: str, path: str, grid: str, sort: str | None) -> Scenario:
    """A data grid's first block of 100 rows (its rows callback), sorted by `sort` (highest
    first) or the page's own order, under the page's default filters."""
    request = {
        "startRow": 0,
        "endRow": 100,
        "sortModel": [{"colId": sort, "sort": "desc"}] if sort else [],
        "filterModel": {},
    }
    return Scenario(
        page,
        path,
        f'"aio_id":"{grid}","component":"DataGridAIO","subcomponent":"grid"}}.getRowsResponse',
        wildcard={"getRowsRequest": request, "data": {}},
    )


SCENARIOS = (
    Scenario("home (tutoring section)", "/", "home-kpis", wildcard={"area": "tutoring"}),
    Scenario("home (credit section)", "/", "home-kpis", wildcard={"area": "credit"}),
    Scenario("tutor risk: overview", "/tutor-risk", "risk-kpis", {"risk-sort": "score"}),
    grid_rows("tutor risk: table (first 100 rows)", "/tutor-risk", "risk-tutors", "score"),
    Scenario("schedules: week", "/schedules", "sched-body", {"sched-view": "week"}),
    Scenario("schedules: utilisation", "/schedules/utilisation", "util-hosts", {"util-period": 56}),
    grid_rows("credit: portfolio (first 100 rows)", "/credit", "credit-customers", "score"),
    grid_rows("credit: watchlist (first 100 rows)", "/credit/watchlist", "watch-loans", None),
    Scenario(
        "credit: pricing",
        "/credit/pricing",
        "pricing-kpis",
        {"pricing-cutoff": 520, "pricing-margin": 0.03},
    ),
    Scenario("credit: journey", "/credit/journey", "journey-funnel", {"journey-period": 365}),
    Scenario("credit: monitoring", "/credit/monitoring", "monitor-drift"),
    Scenario("activity feed", "/activity", "feed-list", {"feed-period": 30, "feed-page": 1}),
)


@dataclass(frozen=True)
class FirstLoad:
    name: str
    path: str
    ready: str  # CSS selector of the page's main content, drawn


CHART = ".js-plotly-plot .main-svg"
GRID_ROW = ".beacon-grid .ag-center-cols-container .ag-row"  # a data grid's first rows
FIRST_LOADS = (
    FirstLoad("home", "/", CHART),
    FirstLoad("tutor risk", "/tutor-risk", CHART),
    FirstLoad("schedules", "/schedules", ".calendar-week .session-chip"),
    FirstLoad("utilisation", "/schedules/utilisation", CHART),
    FirstLoad("credit portfolio", "/credit", GRID_ROW),
    FirstLoad("credit watchlist", "/credit/watchlist", GRID_ROW),
    FirstLoad("credit pricing", "/credit/pricing", CHART),
    FirstLoad("credit journey", "/credit/journey", CHART),
    FirstLoad("credit monitoring", "/credit/monitoring", CHART),
    FirstLoad("activity feed", "/activity", ".feed-item"),
    FirstLoad("PE dashboard", "/pe", CHART),
)
