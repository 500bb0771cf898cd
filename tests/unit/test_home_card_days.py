"""Home's compared cards name their days: "last 4 weeks" ends on the newest whole day with
data, not today, and a manager could not reconcile it with a count to today."""

from __future__ import annotations

from datetime import timedelta

import app  # noqa: F401 (the pages need the app)
from data.engine import connect
from data.queries import home
from tests.conftest import acting_as


def texts(component) -> list[str]:
    found, stack = [], [component]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            found.append(node)
            continue
        if "kpi-period" in str(getattr(node, "className", "")):
            found.append(str(node.children))
            continue
        children = getattr(node, "children", None)
        stack.extend(children if isinstance(children, list) else [children] if children else [])
    return found


def test_each_compared_card_names_the_days_it_counts(seeded_engine):
    from pages.home import fill_section

    with connect() as conn:
        last = home.home_end(conn=conn).date()
    first = last - timedelta(days=27)
    days = f"vs previous 4 weeks · counted {first.day} {first:%b} – {last.day} {last:%b}"
    with acting_as("admin"):
        cards, _ = fill_section("tutoring", None, None)
    periods = [t for card in cards for t in texts(card) if "vs previous" in t or "left" in t]
    assert periods.count(days) == 3  # completed, completion rate, rating
    assert any("left in the last 90 days" in p and "–" not in p for p in periods)  # a note


def test_two_small_counts_are_compared_by_their_difference_not_a_percentage():
    """2 incidents against 5 read "▼ 60.0%"; under 20 on both sides a card says "▼ 3" and
    the earlier count. A rate, and larger counts, keep their percentages."""
    from datetime import date

    from analytics.home_kpis import Kpi
    from pages.home import kpi_card_of

    days = {"first_day": date(2026, 11, 9), "last_day": date(2026, 12, 6)}
    incidents = Kpi("incidents", "Safety incidents", "count", 2, 5, **days, higher_is_better=False)
    shown = texts(kpi_card_of(incidents)) + [str(kpi_card_of(incidents))]
    assert "vs 5 in the previous 4 weeks · counted 9 Nov – 6 Dec" in shown
    assert "▼ 3 " in shown[-1] and "%" not in shown[-1]
    sessions = Kpi("sessions", "Sessions", "count", 2423, 2500, **days)
    assert "▼ 3.1% " in str(kpi_card_of(sessions))
    assert "vs previous 4 weeks" in texts(kpi_card_of(sessions))[0]


def test_a_count_without_an_earlier_window_or_not_compared_is_not_a_small_change():
    """NaN is not small: max(3, nan) is 3, and the card read "vs – in the previous 4 weeks".
    A count that is not compared says its note, not an earlier count."""
    from datetime import date

    from analytics.home_kpis import Kpi
    from pages.home import kpi_card_of

    days = {"first_day": date(2026, 11, 9), "last_day": date(2026, 12, 6)}
    unknown = Kpi("incidents", "Safety incidents", "count", 3, float("nan"), **days)
    assert "vs –" not in str(kpi_card_of(unknown)) and " in the previous" not in str(
        kpi_card_of(unknown)
    )
    noted = Kpi("tutors", "Active tutors", "count", 3, 5, **days, compare=False, note="2 left")
    assert "2 left" in texts(kpi_card_of(noted)) and "previous" not in str(kpi_card_of(noted))


def test_a_home_reports_chart_headings_name_their_periods():
    """A PDF or an embed shows each chart under its part's title, without the card's
    subtitle: the title carries the period ("past 8 and next 4 weeks" had been lost)."""
    from sharing.views import VIEWS

    titles = [part.title for part in VIEWS["home"].parts]
    assert titles == [
        "Tutoring sessions by region, last 4 weeks",
        "Tutoring: Sessions per week by outcome (Tutoring sessions, last 26 weeks)",
        "PE programs: Attendance rate per week (Share of PE places attended, last 26 weeks)",
        "Schedules: Booked hours per week by status (Group sessions, past 8 and next 4 weeks)",
        "Credit: Applications per week by decision (Tuition-financing applications, last 26 weeks)",
    ]
