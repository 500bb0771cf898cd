"""The risk overview's callbacks, signed in, on a scored database."""

import json
import re
from datetime import date
from typing import Any

import pandas as pd
import pytest
from dash import dcc
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import event, text

import app as beacon  # noqa: F401  (pages register with the app)
from analytics.interventions import left_by
from auth.access import AccessDenied
from components.theme import plain_figure
from data import cache, tutor_risk
from data.engine import connect, get_engine
from pages import tutor_risk as page
from sharing.views import VIEWS
from tests.conftest import acting_as, graph_of, nothing_open
from vocabulary import BANDS


@pytest.fixture
def db(scored_url, use_database):
    use_database(scored_url)


def test_overview_shows_four_band_cards_two_charts_and_its_filters_round_trip_the_url(db):
    with acting_as("analyst"):
        cards, distribution, history = page.show_overview(
            region=None, subject="Maths", band="high", tenure="new", theme="dark"
        )
    assert [c.children.children.children[0].children for c in cards[:4]] == [
        "Low risk",
        "Medium risk",
        "High risk",
        "Critical risk",
    ]
    # The kept counts are per region: with a subject, band or tenure the page says so.
    assert "narrow the table below only" in str(cards[-1])
    with acting_as("analyst"):
        plain, _, _ = page.show_overview(
            region=None, subject=None, band=None, tenure=None, theme="dark"
        )
    assert "narrow the table" not in str(plain)
    assert isinstance(graph_of(distribution), dcc.Graph)
    assert "Data as a table" in str(distribution)  # and its text alternative
    view = VIEWS["tutor-risk"]
    state = view.state({"subject": "Maths", "band": "high", "tenure": "new"})
    assert view.query(state) == "?subject=Maths&band=high&tenure=new"
    assert view.state(view.query(state)) == state  # the address gives the filters back
    assert view.state("?band=purple&region=x")["band"] is None


@pytest.mark.parametrize("region", [None, 1])
def test_the_band_cards_count_only_the_scored_tutors_still_here(db, region):
    """Tutors scored on the newest date who have left by today are not on the cards (the
    table marks them "left"); a later leaving date is notice given, still to call. Three
    tutors leave in a transaction rolled back after."""
    today = date(2026, 6, 20)
    with acting_as("analyst"):
        regions = page.Filters.of({"region": region}).region_ids
    with get_engine().connect() as conn, conn.begin() as changes:
        model = tutor_risk.active_model(conn=conn)
        history = tutor_risk.band_history.uncached(
            conn=conn, model_id=model["id"], region_ids=regions
        )
        newest = history["as_of"].max().to_pydatetime()
        listed, _ = tutor_risk.risk_table(
            conn=conn, model_id=model["id"], as_of=newest, region_ids=regions, limit=None
        )
        riskiest, lowest = listed["tutor_id"].iloc[:2].tolist(), int(listed["tutor_id"].iloc[-1])
        leaving = [date(2026, 6, 17), date(2026, 6, 30), date(2026, 6, 20)]
        for tutor_id, left_on in zip([*riskiest, lowest], leaving, strict=True):
            conn.execute(
                text("UPDATE tutors SET left_on = :d WHERE id = :t"), {"d": left_on, "t": tutor_id}
            )
        left = tutor_risk.left_since_scored.uncached(
            conn=conn, model_id=model["id"], as_of=newest, today=today, region_ids=regions
        )
        listed, _ = tutor_risk.risk_table(
            conn=conn, model_id=model["id"], as_of=newest, region_ids=regions, limit=None
        )
        changes.rollback()
    gone = listed[[left_by(d, today) is not None for d in listed["left_on"]]]
    assert len(gone) == 2  # the riskiest and the least likely; the second gave notice
    by_band = left.groupby("band")["tutors"].sum().to_dict()
    assert by_band == gone["band"].value_counts().to_dict()
    here = listed.drop(gone.index)["band"].value_counts()
    # The score chart counts the same tutors as the cards: those still here, per score.
    with get_engine().connect() as conn:
        scores = tutor_risk.score_counts.uncached(
            conn=conn, model_id=model["id"], as_of=newest, region_ids=regions
        )
    charted = page.still_scored(scores, left)
    assert charted["tutors"].sum() == len(listed) - len(gone) == scores["tutors"].sum() - 2
    kept = listed.drop(gone.index).groupby(["score", "band"]).size()
    assert charted.set_index(["score", "band"])["tutors"].sort_index().to_dict() == kept.to_dict()
    cards = page.band_cards(history, left)
    shown = {c.children.children.children[0].children: c for c in cards[:4]}
    for band in BANDS:
        value = shown[f"{band.capitalize()} risk"].children.children.children[1].children
        assert value == f"{int(here.get(band, 0)):,}"
    scored = history.pivot_table(index="as_of", columns="band", values="tutors", aggfunc="sum")
    scored = scored.reindex(columns=list(BANDS), fill_value=0).fillna(0)
    # The change compares the two weeks' scores: a tutor leaving is not a risk gone.
    critical = shown["Critical risk"].children.children.children[2]
    change = int(scored["critical"].iloc[-1] - scored["critical"].iloc[-2])
    assert critical.children[0].children.split()[-1] == str(abs(change))
    note = cards[4].children.children
    assert note.startswith("Not counting 2 tutors scored on 2026-06-16 who have left since (")


def test_the_band_cards_say_nothing_of_leavers_when_none_has_left():
    history = pd.DataFrame(
        {
            "as_of": pd.to_datetime(["2026-11-28", "2026-12-05"], utc=True).repeat(2),
            "band": ["low", "critical"] * 2,
            "tutors": [90, 5, 88, 6],
            "expected": [1.0, 2.0, 1.0, 2.5],
        }
    )
    cards = page.band_cards(history, pd.DataFrame(columns=["band", "tutors"]))
    assert len(cards) == 4
    critical = cards[3].children.children.children
    assert critical[1].children == "6" and "▲ 1" in str(critical[2])


@pytest.mark.parametrize("region", [None, 1])
def test_the_overview_read_on_one_connection_draws_what_separate_reads_give(db, region):
    """#26: the overview reads the model, the weeks and the scores on one connection; its
    charts are the ones the separate reads it replaced (one connection each) give."""
    state = {"region": region, "subject": None, "band": None, "tenure": None}
    with acting_as("analyst"):
        regions = page.Filters.of(state).region_ids
        cache.backend().clear()
        taken: list[object] = []

        def checkout(*_: object) -> None:
            taken.append(1)

        event.listen(get_engine().pool, "checkout", checkout)
        try:
            _, distribution, at_risk = page.show_overview(**state, theme="light")
        finally:
            event.remove(get_engine().pool, "checkout", checkout)
        with connect() as conn:
            model = tutor_risk.active_model(conn=conn)
        with connect() as conn:
            history = tutor_risk.band_history.uncached(
                conn=conn, model_id=model["id"], region_ids=regions
            )
        with connect() as conn:
            scores = tutor_risk.score_counts.uncached(
                conn=conn,
                model_id=model["id"],
                as_of=history["as_of"].max().to_pydatetime(),
                region_ids=regions,
            )
    apart = [  # as a graph sends them
        plain_figure(page.distribution_figure(scores, "light")),
        plain_figure(page.at_risk_figure(page.at_risk_weeks(history), "light")),
    ]
    drawn = [without_hints(figure_in(distribution)), without_hints(figure_in(at_risk))]
    assert drawn == [as_json(f) for f in apart]
    assert not scores.empty and len(history) > 4 and len(taken) == 1


def without_hints(figure: Any) -> Any:
    """The figure without the line its tooltips end with (whether the chart drills down)."""
    for trace in figure["data"]:
        trace["hovertemplate"] = re.sub(r"<br><i>[^<]*</i>", "", trace["hovertemplate"])
    return figure


def as_json(value: object) -> object:
    return json.loads(json.dumps(value, cls=PlotlyJSONEncoder))


def figure_in(component: object) -> object:
    """The figure of the first chart in a component, as the browser receives it."""

    def find(node: object) -> object:
        if isinstance(node, dict):
            if isinstance(node.get("figure"), dict):
                return node["figure"]
            return next((f for v in node.values() if (f := find(v)) is not None), None)
        if isinstance(node, list):
            return next((f for v in node if (f := find(v)) is not None), None)
        return None

    return find(as_json(component))


def risk_table(request: dict | None = None, **filters: object) -> tuple:
    """The risk grid's first block for the page's filters (region, subject, band, tenure)
    and the grid's `request` (its sort and column filters)."""
    chosen = {"region": None, "subject": None, "band": None, "tenure": None} | filters
    query = page.narrow(**chosen)
    return page.rows(request={"startRow": 0, **(request or {})}, query=query)


def test_a_manager_sees_only_their_regions_rows(db):
    with acting_as("manager", regions=(1,)):
        found, count = risk_table()
    assert {row["region"] for row in found["rowData"]} == {"N"}
    assert count.startswith(f"{found['rowCount']:,} tutors match")


def test_the_grid_sorts_and_filters_tutors_on_the_server_and_exports_them_so(db):
    """Riskiest first by default; a header's sort and column filters (#24) narrow and order
    the rows in SQL, and the export of that address follows them and the columns shown."""
    with acting_as("analyst"):
        riskiest, _ = risk_table()
        request = {
            "sortModel": [{"colId": "hired_on", "sort": "desc"}],
            "filterModel": {
                "score": {"filterType": "number", "type": "greaterThanOrEqual", "filter": 2},
                "hired_on": {
                    "filterType": "date",
                    "type": "greaterThan",
                    "dateFrom": "2023-01-01 00:00:00",
                },
                "subject": {"filterType": "text", "type": "notEqual", "filter": "maths"},
            },
        }
        found, _ = risk_table(request)
        view = VIEWS["tutor-risk"]
        grid = {"sort": [["hired_on", "desc"]], "filter": request["filterModel"]}
        grid["hide"] = ["top_factors", "region"]
        exported = view.part_by_key["tutors"].rows(view.state({"grid": json.dumps(grid)}))
    chances = [int(row["score"].rstrip("%").lstrip("<")) for row in riskiest["rowData"]]
    assert chances == sorted(chances, reverse=True)
    rows = found["rowData"]
    assert 0 < found["rowCount"] < riskiest["rowCount"]
    assert all(row["hired_on"] > "2023-01-01" and row["subject"] != "Maths" for row in rows)
    assert [row["hired_on"] for row in rows] == sorted((r["hired_on"] for r in rows), reverse=True)
    assert all(not row["score"].startswith("<") and int(row["score"][:-1]) >= 2 for row in rows)
    assert len(exported) == found["rowCount"]
    assert "Why" not in exported and "Region" not in exported
    assert exported["Tutor"].tolist()[: len(rows)] == [row["name"] for row in rows]
    assert (exported["Chance of leaving in 30 days (%)"] >= 2).all()


def test_a_forged_region_outside_the_scope_is_refused(db):
    with acting_as("manager", regions=(1,)), pytest.raises(AccessDenied):
        risk_table(region=2)
    with acting_as("manager", regions=(1,)), pytest.raises(AccessDenied):
        page.rows(request={"startRow": 0}, query={"region": 2})
    with acting_as("manager", regions=(1,)), pytest.raises(AccessDenied):
        page.show_overview(region=2, subject=None, band=None, tenure=None, theme="light")


def test_unknown_filter_values_are_ignored_not_trusted(db):
    with acting_as("viewer"):
        cards, _, _ = page.show_overview(
            region="x; DROP",
            subject="<b>",
            band="severe",
            tenure="forever",
            theme="light",
        )
    assert len(cards) == 5 and "narrow the table" in str(cards[-1])  # the subject, a literal
    view = VIEWS["tutor-risk"]
    forged = "?region=x%3B+DROP&subject=%3Cb%3E&band=severe&tenure=forever&grid=id+desc"
    assert view.query(view.state(forged)) == "?subject=%3Cb%3E"  # a literal; the rest dropped


def test_an_intervention_finished_minutes_ago_is_too_early_to_tell(db):
    """It used to read "sessions after 0, change -15" minutes after an intervention ended."""
    from datetime import UTC, datetime

    from actions import tutor_care as care
    from auth.access import current_actor
    from components.table import cell_text
    from tests.actions.test_tutor_care import riskiest

    now = datetime(2026, 6, 16, 9, tzinfo=UTC)  # the day after the newest scores
    tutor, kind = riskiest(1)
    nothing_open(tutor)
    with acting_as("manager", regions=(1,)):
        actor = current_actor()
        planned = care.plan_intervention(
            actor=actor, tutor_id=tutor, kind=kind, owner_id=None, now=now
        )
        assert isinstance(planned, care.Done)
        for status, outcome in (("in_progress", None), ("done", "Talked it through.")):
            moved = care.move_intervention(
                actor=actor,
                tutor_id=tutor,
                intervention_id=planned.entity_id,
                status=status,
                outcome=outcome,
                now=now,
            )
            assert isinstance(moved, care.Done)
        summary = page.effect_rows({"region": 1})
        shown = page.show_effectiveness(region=1)
    # Every finished intervention (this one, and any another test left) is this recent.
    assert summary["too_early"].sum() >= 1 and summary["measured"].sum() == 0
    cells = [cell_text(td.children) for row in shown.children[-1].children for td in row.children]
    assert "Too early to tell" in cells and not any("sessions" in str(c) for c in cells)
