"""Tutor risk: who is likely to leave within 30 days, how that moves week by week, and why."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html
from dash.development.base_component import Component

from analytics.frames import wide_table
from analytics.interventions import (
    MATCHES,
    MIN_MEASURED,
    WINDOW_DAYS,
    effectiveness,
    left_by,
    matched_controls,
)
from auth.access import EVERYONE, allowed, check_region, region_scope, requires
from auth.answers import cached_answer
from components.chart_card import chart_body, chart_card
from components.empty_state import empty_state
from components.figures import banded_bars, clicked, week_axis
from components.filters import field, filter_bar
from components.formatting import factor_line, number
from components.insight import KpiReading, facts_from_kpi_cards
from components.kpi_card import kpi_card
from components.shell import ids as shell_ids
from components.table import data_table
from components.theme import RISK_COLORS, Figure, themed, values
from components.tutor_model_card import band_legend, chance_text, model_card, percentile_text
from components.view_tools import export_menu, view_actions, view_location
from data import accounts, tutor_care, tutor_risk
from data.engine import connect
from settings import business_today
from sharing.embed import EMBED_ROLES
from sharing.views import (
    Explained,
    Param,
    Part,
    View,
    grid_param,
    one_of,
    region_param,
    register,
)
from sharing.views import State as ViewState
from vocabulary import BANDS, INTERVENTION_LABELS
from widgets.explain import ExplainAIO
from widgets.grid import (
    DataGridAIO,
    GridColumn,
    as_shown,
    grid_columns,
    requested,
    rows_io,
    rows_response,
)

dash.register_page(
    __name__,
    refreshes=True,  # auto-refresh may redraw it (a dashboard, not a form)
    path="/tutor-risk",
    name="Risk overview",
    area="Tutor risk",
    order=1,
    roles=EVERYONE,
)

VIEW = "tutor-risk"
TENURES = {
    "new": ("Under 6 months", 0, 182),
    "mid": ("6 to 24 months", 182, 730),
    "long": ("Over 2 years", 730, None),
}

GRID = grid_columns(
    "risk-tutors",
    [
        GridColumn(
            "name", "Tutor", render="link", href="/tutor-risk/tutor?id={tutor_id}", width=150
        ),
        # The tutor's chance and band next to the name: a phone shows the first three
        # columns, and they had been Tutor, Region and Subject (a manager's walk).
        GridColumn("score", "Chance of leaving in 30 days", "number", width=120),
        GridColumn("band", "Band", render="band", sortable=False, filterable=False, width=95),
        GridColumn("percentile", "More likely to leave than", "number", width=120),
        GridColumn("region", "Region", width=100),
        GridColumn("subject", "Subject", width=105),
        GridColumn("hired_on", "Hired", "date", width=115),
        GridColumn("top_factors", "Why", render="lines", sortable=False, filterable=False),
    ],
)


class ids:
    region = "risk-region"
    subject = "risk-subject"
    band = "risk-band"
    tenure = "risk-tenure"
    kpis = "risk-kpis"
    distribution = "risk-distribution"
    distribution_graph = "risk-distribution-graph"  # a click on a band's bar filters to it
    history = "risk-history"
    table = "risk-tutors"
    card = "risk-model-card"
    effect = "risk-effectiveness"
    calls = "risk-call-list"


def layout(
    region: str | None = None,
    subject: str | None = None,
    band: str | None = None,
    tenure: str | None = None,
    grid: str | None = None,
    **_kwargs: str,
) -> html.Div:
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        regions = accounts.regions_table(conn=conn)
        subjects = tutor_risk.subjects(conn=conn)
    if model is None:
        return empty_state(
            "No risk scores yet",
            "They appear after the scoring job runs (python -m beacon train).",
        )
    scope = region_scope()
    if scope is not None:
        regions = regions[regions["id"].isin(scope)]
    select: dict[str, Any] = {"clearable": True, "className": "mb-2"}
    filters = filter_bar(
        [
            field(
                "Region",
                dcc.Dropdown(
                    id=ids.region,
                    placeholder="All your regions",
                    value=_int(region),
                    **select,
                    options=[
                        {"label": f"{c} – {n}", "value": int(i)}
                        for i, c, n in regions[["id", "code", "name"]].itertuples(index=False)
                    ],
                ),
                md=3,
            ),
            field(
                "Subject",
                dcc.Dropdown(
                    id=ids.subject,
                    options=subjects,
                    placeholder="All subjects",
                    value=subject if subject in subjects else None,
                    **select,
                ),
                md=2,
            ),
            field(
                "Band",
                dcc.Dropdown(
                    id=ids.band,
                    options=[{"label": b.capitalize(), "value": b} for b in BANDS],
                    placeholder="All bands",
                    value=band if band in BANDS else None,
                    **select,
                ),
                md=2,
            ),
            field(
                "Tenure",
                dcc.Dropdown(
                    id=ids.tenure,
                    options=[{"label": v[0], "value": k} for k, v in TENURES.items()],
                    placeholder="Any tenure",
                    value=tenure if tenure in TENURES else None,
                    **select,
                ),
                md=3,
            ),
        ]
    )
    return html.Div(
        [
            view_location(VIEW),
            filters,
            view_actions(VIEW, can_embed=allowed(EMBED_ROLES)),
            ExplainAIO(VIEW),
            dcc.Loading(dbc.Row(id=ids.kpis, className="g-3 mb-2"), delay_show=150),
            band_legend(model),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(
                            body_id=ids.distribution,
                            **SPEC.card("scores", hint="; click a bar to see its band"),
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        chart_card(body_id=ids.history, **SPEC.card("at-risk")),
                        lg=6,
                    ),
                ],
                className="g-3 mb-3",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(
                            [
                                html.H2("Tutors by risk", className="h6 me-auto mb-0"),
                                export_menu(VIEW, "tutors", title="Tutors by risk", chart=False),
                            ],
                            className="d-flex align-items-center gap-2 mb-2",
                        ),
                        DataGridAIO(
                            ids.table,
                            state=SPEC.state({"grid": grid})["grid"],
                            query={
                                "region": region,
                                "subject": subject,
                                "band": band,
                                "tenure": tenure,
                            },
                            label="Tutors by risk: click a header to sort, Ctrl+click to add",
                            row_height=66,
                        ),
                        html.P(
                            "Likeliest to leave first until you sort by a column; filter a "
                            "column from its menu.",
                            className="widget-note",
                        ),
                    ]
                ),
                className="mb-3",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(
                            [
                                html.H2("What interventions achieved", className="h6 me-auto"),
                                export_menu(
                                    VIEW, "interventions", title="Interventions", chart=False
                                ),
                            ],
                            className="d-flex align-items-center gap-2",
                        ),
                        html.P(
                            "For finished interventions: how risk and held sessions changed, "
                            f"read {WINDOW_DAYS} days after each ended.",
                            className="chart-subtitle",
                        ),
                        dcc.Loading(html.Div(id=ids.effect), delay_show=150),
                    ]
                ),
                className="mb-3",
            ),
            dbc.Row(
                dbc.Col(
                    chart_card(body_id=ids.calls, **SPEC.card("calls")),
                    lg=8,
                ),
                className="g-3 mb-3",
            ),
            model_card(model, card_id=ids.card),
        ]
    )


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class Filters:
    """The validated filters of one request, with the user's region scope applied."""

    def __init__(self, region: Any, subject: Any, band: Any, tenure: Any) -> None:
        self.region = _int(region)
        check_region(self.region)  # another region's id, forged into the request, stops here
        self.region_ids = [self.region] if self.region is not None else region_scope()
        self.subject = str(subject)[:40] if subject else None
        self.band = band if band in BANDS else None
        self.tenure = tenure if tenure in TENURES else None

    @classmethod
    def of(cls, state: dict[str, Any]) -> Filters:
        return cls(**{k: state.get(k) for k in ("region", "subject", "band", "tenure")})

    def hired_between(self, as_of: datetime) -> tuple[datetime | None, datetime | None]:
        if self.tenure is None:
            return None, None
        _, shortest, longest = TENURES[self.tenure]
        after = as_of - timedelta(days=longest) if longest else None
        return after, as_of - timedelta(days=shortest)


FILTERS = [
    Input(ids.region, "value"),
    Input(ids.subject, "value"),
    Input(ids.band, "value"),
    Input(ids.tenure, "value"),
]


class Overview(NamedTuple):
    """What the overview draws, read on one connection: tutors per band per scoring week
    (as_of, band, tutors, expected), tutors still here per score at the newest week (score,
    band, tutors) and those scored then who have left since (band, score, tutors)."""

    history: pd.DataFrame
    scores: pd.DataFrame
    left: pd.DataFrame


def no_scores() -> pd.DataFrame:
    return pd.DataFrame(columns=["score", "band", "tutors"])


def overview_rows(state: dict[str, Any], *, with_scores: bool = True) -> Overview:
    view = Filters.of(state)
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        if model is None:
            history = pd.DataFrame(columns=["as_of", "band", "tutors", "expected"])
            return Overview(history, no_scores(), no_scores())
        history = tutor_risk.band_history(
            conn=conn, model_id=model["id"], region_ids=view.region_ids
        )
        if history.empty or not with_scores:
            return Overview(history, no_scores(), no_scores())
        newest = history["as_of"].max().to_pydatetime()
        scores = tutor_risk.score_counts(
            conn=conn, model_id=model["id"], as_of=newest, region_ids=view.region_ids
        )
        left = tutor_risk.left_since_scored(
            conn=conn,
            model_id=model["id"],
            as_of=newest,
            today=business_today(),
            region_ids=view.region_ids,
        )
    return Overview(history, still_scored(scores, left), left)


def still_scored(scores: pd.DataFrame, left: pd.DataFrame) -> pd.DataFrame:
    """Tutors per score and band, without those who have left since they were scored: the
    score chart counts the tutors the cards count."""
    if left.empty:
        return scores
    keys = ["score", "band"]
    gone = left.groupby(keys)["tutors"].sum()
    here = scores.set_index(keys)["tutors"].sub(gone, fill_value=0).astype(int)
    return here[here > 0].reset_index()[["score", "band", "tutors"]]


def band_history(state: dict[str, Any]) -> pd.DataFrame:
    """Tutors per band per scoring week in the view (columns as_of, band, tutors)."""
    return overview_rows(state, with_scores=False).history


def score_rows(state: dict[str, Any]) -> pd.DataFrame:
    """Behind "Risk scores": tutors per score at the newest scoring date (score, band, tutors)."""
    return overview_rows(state).scores


def at_risk_rows(state: dict[str, Any]) -> pd.DataFrame:
    """Behind "Expected leavers": per scoring week, how many tutors of each band are expected
    to leave within 30 days (the sum of their chances)."""
    return at_risk_weeks(band_history(state))


def at_risk_weeks(history: pd.DataFrame) -> pd.DataFrame:
    """Expected leavers per week and band (as_of, then a column per band, critical first)."""
    riskiest_first = list(BANDS[::-1])
    if history.empty:
        return pd.DataFrame(columns=["as_of", *riskiest_first])
    weekly = wide_table(
        history, index="as_of", columns="band", values="expected", fill_value=0.0
    ).reindex(sorted(history["as_of"].unique()), fill_value=0.0)
    for band in riskiest_first:
        if band not in weekly:
            weekly[band] = 0.0
    return weekly[riskiest_first].astype(float).round(2).rename_axis("as_of").reset_index()


def kpi_values(state: dict[str, Any]) -> list[tuple[str, str]]:
    history, _scores, left = overview_rows(state)
    if history.empty:
        return []
    counts = still_here(history, left)
    return [(f"{b.capitalize()} risk", number(float(counts.get(b, 0)))) for b in BANDS]


def scored_by_week(history: pd.DataFrame) -> pd.DataFrame:
    """Tutors scored per band per week (a row per scoring week, a column per band)."""
    wide = wide_table(history, index="as_of", columns="band", values="tutors", how="mean")
    return wide.reindex(columns=list(BANDS), fill_value=0).fillna(0)


def still_here(history: pd.DataFrame, left: pd.DataFrame) -> pd.Series:
    """Per band, the tutors scored on the newest date who are still here: the call list of
    people there are to call."""
    gone = left.groupby("band")["tutors"].sum() if len(left) else pd.Series(dtype=float)
    latest = scored_by_week(history).iloc[-1]
    return latest - gone.reindex(latest.index, fill_value=0).astype(float)


@callback(
    Output(ids.kpis, "children"),
    Output(ids.distribution, "children"),
    Output(ids.history, "children"),
    *FILTERS,
    Input(shell_ids.theme, "data"),
)
@requires(*EVERYONE)
@cached_answer("tutors")
def show_overview(
    region: Any, subject: Any, band: Any, tenure: Any, theme: str | None
) -> tuple[Any, ...]:
    state = {"region": region, "subject": subject, "band": band, "tenure": tenure}
    history, scores, left = overview_rows(state)
    if history.empty:
        nothing = empty_state("No tutors in this view", "Widen the filters.")
        return [], nothing, nothing
    cards = band_cards(history, left)
    chosen = Filters.of(state)
    if chosen.subject or chosen.band or chosen.tenure:  # the kept counts are per region
        cards.append(
            dbc.Col(
                html.P(
                    "These cards and the two charts count every tutor in the region"
                    f"{'' if chosen.region else 's you can see'}: subject, band and tenure "
                    "narrow the table below only.",
                    className="small text-body-secondary mb-0 mt-1",
                ),
                width=12,
            )
        )
    return (
        cards,
        chart_body(
            distribution_figure(scores, theme),
            empty_title="No scores",
            empty_hint="Widen the filters.",
            drill_id=ids.distribution_graph,
            drill_hint="Click to list the tutors in this band",
        ),
        chart_body(
            at_risk_figure(at_risk_weeks(history), theme),
            empty_title="Nobody expected to leave",
            empty_hint="No tutor in this view has a chance of leaving within 30 days.",
        ),
    )


@callback(Output(ids.calls, "children"), Input(shell_ids.theme, "data"))
@requires(*EVERYONE)
def show_call_list(theme: str | None) -> Component:
    return chart_body(
        call_figure(call_rows({}), theme),
        empty_title="No call list yet",
        empty_hint="It shows once a model is trained with enough leavers to measure.",
    )


def call_rows(_state: dict[str, Any]) -> pd.DataFrame:
    """Behind "The call list": the active model's held-out call list by calls per 100
    tutors (calls, reached, leave, lift) and, in `capacity`, whether a row is the team's."""
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
    metrics = (model or {}).get("metrics") or {}
    curve = pd.DataFrame(metrics.get("reach_curve") or [])
    capacity = metrics.get("capacity") or {}
    if curve.empty:
        return pd.DataFrame(columns=["calls_per_100", "reached", "leave", "lift", "capacity"])
    rows = [curve.assign(capacity=False)]
    if capacity:  # the team's own calls, one row more
        rows.append(pd.DataFrame([capacity])[curve.columns].assign(capacity=True))
    both = pd.concat(rows, ignore_index=True)
    frame = pd.DataFrame(
        {
            "calls_per_100": (both["share"] * 100).round(2),
            "reached": both["recall"],
            "leave": both["precision"],
            "lift": both["lift"],
            "capacity": both["capacity"],
        }
    )
    return frame.sort_values(["calls_per_100", "capacity"]).reset_index(drop=True)


def call_figure(rows: pd.DataFrame, theme: str | None) -> Figure | None:
    if rows.empty:
        return None
    curve = rows[~rows["capacity"]]
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": values(curve["calls_per_100"]),
            "y": values(curve[column] * 100),
            "name": name,
            "mode": "lines",
            "customdata": values(curve["lift"]),
            "hovertemplate": "%{x:.0f} calls per 100 tutors: %{y:.0f}% "
            + name
            + " (%{customdata:.1f}× random)<extra></extra>",
        }
        for column, name in (("reached", "leavers reached"), ("leave", "of the called, leave"))
    ]
    team = rows[rows["capacity"]]
    if len(team):
        point = team.iloc[0]
        traces.append(
            {
                "type": "scatter",
                "x": values([point["calls_per_100"]]),
                "y": values([point["reached"] * 100]),
                "name": "the team's calls",
                "mode": "markers",
                "marker": {"size": 11, "symbol": "diamond"},
                "hovertemplate": "the team's weekly calls: "
                f"{point['calls_per_100']:.1f} per 100 tutors "
                f"reach {point['reached']:.0%} of leavers<extra></extra>",
            }
        )
    layout = {
        "xaxis": {"title": {"text": "calls per 100 tutors"}},
        "yaxis": {"title": {"text": "share"}, "ticksuffix": "%", "range": [0, 100]},
    }
    return themed({"data": traces, "layout": layout}, theme)


@callback(
    Output(ids.band, "value", allow_duplicate=True),
    Input(ids.distribution_graph, "clickData"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def drill_to_band(click: Any) -> str:
    """A click on a bar of the score chart filters the page to that bar's band; the address
    follows (a new history entry), so Back returns to the view before."""
    band = clicked(click)
    if band not in BANDS:
        raise dash.exceptions.PreventUpdate
    return str(band)


def overview_facts(state: ViewState) -> list[KpiReading]:
    """The band cards as shown for these filters (counts, never names)."""
    filters = {k: state.get(k) for k in ("region", "subject", "band", "tenure")}
    return facts_from_kpi_cards(show_overview(**filters, theme=None)[0])


def band_cards(history: pd.DataFrame, left: pd.DataFrame) -> list[Component]:
    """A card per band: its tutors on the newest scoring date who are still here. The change
    and the trend compare the weeks' scores, so a tutor leaving never reads as a risk gone;
    a line under the cards counts those scored who have left since."""
    scored = scored_by_week(history)
    here = still_here(history, left)
    week_before = scored.iloc[-2] if len(scored) > 1 else None
    cards: list[Component] = []
    for band in BANDS:
        change = (
            float(scored.iloc[-1][band] - week_before[band]) if week_before is not None else None
        )
        cards.append(
            dbc.Col(
                kpi_card(
                    title=f"{band.capitalize()} risk",
                    value=number(float(here[band])),
                    change=change,
                    absolute=True,
                    period="since last week's scores",
                    higher_is_better=band == "low",
                    trend=scored[band].tolist(),
                ),
                md=3,
            )
        )
    gone = int(left["tutors"].sum()) if len(left) else 0
    if gone:
        per_band = left.groupby("band")["tutors"].sum()
        bands = ", ".join(f"{int(per_band[b])} {b}" for b in BANDS[::-1] if per_band.get(b))
        cards.append(
            dbc.Col(
                html.P(
                    f"Not counting {gone:,} {'tutor' if gone == 1 else 'tutors'} scored on "
                    f"{scored.index[-1].date().isoformat()} who "
                    f"{'has' if gone == 1 else 'have'} left since ({bands}; the table marks "
                    "them). The changes compare the two weeks' scores, leavers included.",
                    className="small text-body-secondary mb-0 mt-2",
                ),
                width=12,
            )
        )
    return cards


def distribution_figure(counts: pd.DataFrame, theme: str | None) -> Figure | None:
    if counts.empty:
        return None
    return banded_bars(
        counts,
        x="score",
        y="tutors",
        theme=theme,
        x_title="chance of leaving within 30 days (%)",
        y_title="tutors",
    )


def at_risk_figure(weekly: pd.DataFrame, theme: str | None) -> Figure | None:
    bands = list(BANDS[::-1])  # critical at the bottom of the stack
    if weekly.empty or not weekly[bands].to_numpy().any():
        return None
    weeks = values(weekly["as_of"])
    traces = [
        {
            "type": "scatter",
            "x": weeks,
            "y": values(weekly[band]),
            "name": band,
            "mode": "lines",
            "stackgroup": "expected",
            "line": {"color": RISK_COLORS[band]},
            "hovertemplate": f"%{{x|%Y-%m-%d}}: %{{y:.1f}} expected to leave<extra>{band}</extra>",
        }
        for band in bands
    ]
    layout = {
        # Ticks on the scoring days themselves, not plotly's Sundays.
        "xaxis": {
            "title": {"text": "week scored"},
            **week_axis(weekly["as_of"], on=weekly["as_of"].min()),
        },
        "yaxis": {"title": {"text": "expected leavers"}, "rangemode": "tozero"},
    }
    return themed({"data": traces, "layout": layout}, theme)


@callback(
    Output(DataGridAIO.ids.query(ids.table), "data"),
    *FILTERS,
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def narrow(region: Any, subject: Any, band: Any, tenure: Any) -> dict[str, Any]:
    Filters(region, subject, band, tenure)  # a forged region stops here
    return {"region": region, "subject": subject, "band": band, "tenure": tenure}


@callback(*rows_io(ids.table))
@requires(*EVERYONE)
@cached_answer("tutors")
def rows(request: Any, query: Any) -> tuple[Any, str]:
    start, size, grid = requested(request, GRID)
    view = Filters.of(query if isinstance(query, dict) else {})
    with connect() as conn:
        latest, args = table_query(view, conn)
        frame, total = tutor_risk.risk_table(
            **args, sort=grid.sort, filters=grid.filters, limit=size, offset=start
        )
    return rows_response(as_seen(frame), total, GRID), (
        f"{number(total)} tutors match · scores as of {latest:%Y-%m-%d}"
    )


def as_seen(frame: pd.DataFrame) -> pd.DataFrame:
    """The chance, the percentile and the reasons as people read them."""
    if frame.empty:
        return frame
    today = business_today()
    gone = [left_by(left, today) for left in frame["left_on"]]
    return frame.assign(
        # Scored before they left, still on that date's list: said, so nobody calls them.
        name=[
            f"{name} (left {left:%Y-%m-%d})" if left else name
            for name, left in zip(frame["name"], gone, strict=True)
        ],
        score=[
            chance_text(s, p) for s, p in zip(frame["score"], frame["probability"], strict=True)
        ],
        percentile=frame["percentile"].map(percentile_text),
        top_factors=frame["top_factors"].map(factor_lines),
    )


def table_query(view: Filters, conn: Any) -> tuple[datetime, dict[str, Any]]:
    """The newest scoring date and the risk-table arguments for a view (in the user's scope)."""
    model = tutor_risk.active_model(conn=conn)
    latest = tutor_risk.latest_scored_at(conn=conn, model_id=model["id"]) if model else None
    if model is None or latest is None:
        raise dash.exceptions.PreventUpdate
    after, before = view.hired_between(latest)
    return latest, dict(
        conn=conn,
        model_id=model["id"],
        as_of=latest,
        region_ids=view.region_ids,
        subject=view.subject,
        band=view.band,
        hired_after=after,
        hired_before=before,
    )


def tutor_rows(state: dict[str, Any]) -> pd.DataFrame:
    """Every tutor the filters match, in the grid's order, with the columns it shows (the
    numbers as numbers, for a spreadsheet, and the reasons as text)."""
    view, grid = Filters.of(state), state["grid"]
    with connect() as conn:
        latest, query = table_query(view, conn)
        rows, _ = tutor_risk.risk_table(**query, sort=grid.sort, filters=grid.filters, limit=None)
    rows["top_factors"] = rows["top_factors"].map(lambda f: factor_lines(f).replace("\n", "; "))
    shown = as_shown(rows, grid, GRID).rename(columns=EXPORT_HEADERS)
    shown.insert(0, "Tutor ID", rows["tutor_id"])  # whatever is shown: a spreadsheet joins on it
    return shown.assign(**{"Scores as of": latest.date()})


# The score and percentile as a spreadsheet reader needs them named: what each number means.
EXPORT_HEADERS = {
    "Chance of leaving in 30 days": "Chance of leaving in 30 days (%)",
    "More likely to leave than": "More likely to leave than (% of tutors)",
}


def factor_lines(factors: Any) -> str:
    """The reasons, a line each ("No single factor stands out" without one)."""
    if not factors:
        return "No single factor stands out"
    return "\n".join(factor_line(f) for f in factors)


def effect_rows(state: dict[str, Any]) -> pd.DataFrame:
    """Per kind of finished intervention: what it changed in risk and held sessions, read 30
    days after it ended, against similar tutors who had none."""
    view = Filters(state.get("region"), None, None, None)
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        every = tutor_care.interventions(conn=conn, region_ids=view.region_ids)
        done = every[every["status"] == "done"]
        if model is None or done.empty:
            return pd.DataFrame()
        since = (done["created_at"].min() - timedelta(days=WINDOW_DAYS)).to_pydatetime()
        scores = tutor_care.scores_since(
            conn=conn, model_id=model["id"], since=since, region_ids=view.region_ids
        )
        if scores.empty:
            return pd.DataFrame()
        as_of = scores["as_of"].max()
        controls = matched_controls(done, scores, every, as_of=as_of)
        compared = {*done["tutor_id"].astype(int), *controls["tutor_id"].astype(int)}
        sessions = tutor_risk.session_history(conn=conn, since=since, tutor_ids=sorted(compared))
    return effectiveness(done, scores, sessions, controls, as_of=as_of)


EFFECT_COLUMNS = {
    "kind": "Intervention",
    "measured": "Measured",
    "too_early": "Too early to tell",
    "risk_change": "Risk change",
    "similar_risk_change": "Similar tutors' risk change",
    "risk_effect": "Effect on risk",
    "activity_change": "Sessions change",
    "similar_activity_change": "Similar tutors' sessions change",
    "activity_effect": "Effect on sessions",
    "similar_tutors": "Similar tutors",
    "readable": "Can it be read?",
}


@callback(Output(ids.effect, "children"), Input(ids.region, "value"))
@requires(*EVERYONE)
@cached_answer("tutors")
def show_effectiveness(region: Any) -> Component:
    summary = effect_rows({"region": region})
    if summary.empty:
        return empty_state(
            "No finished interventions yet",
            f"When interventions are marked done, their effect shows here {WINDOW_DAYS} days "
            "later.",
        )
    shown = summary.assign(
        kind=summary["kind"].map(INTERVENTION_LABELS), readable=summary.apply(_readable, axis=1)
    )
    for column in ("risk_change", "similar_risk_change", "risk_effect"):
        shown[column] = _signed(summary, column, "points")
    for column in ("activity_change", "similar_activity_change", "activity_effect"):
        shown[column] = _signed(summary, column, "sessions")
    return data_table(
        shown,
        EFFECT_COLUMNS,
        empty_title="No finished interventions yet",
        empty_hint="",
        caption=(
            f"Each effect is the change against up to {MATCHES} tutors in the same risk band "
            "with the nearest score who had no intervention, over the same dates; below zero "
            "it lowered risk (or sessions)."
        ),
    )


def _signed(summary: pd.DataFrame, column: str, unit: str) -> list[str]:
    """A signed change with its unit; a dash where none was measured."""
    return [
        "—"
        if pd.isna(v)
        else ("0.0" if abs(v) < 0.05 else f"{v:+.1f}".replace("-", "−")) + f" {unit}"
        for v in summary[column]
    ]


def _readable(row: pd.Series) -> str:
    """Whether the effect of a kind means anything yet, and if not, why."""
    if row["measured"] == 0:
        return (
            "Too early to tell"
            if row["too_early"]
            else "Not measurable: no recent score, or no similar tutor"
        )
    if not row["enough"]:
        return f"Too few to tell ({row['measured']} of {MIN_MEASURED} needed)"
    return "Yes"


SPEC = register(
    View(
        name=VIEW,
        path="/tutor-risk",
        title="Tutor risk overview",
        roles=EVERYONE,
        params=(
            region_param(ids.region),
            Param("subject", ids.subject, "Subject", parse=lambda raw: raw[:40]),
            Param("band", ids.band, "Band", parse=one_of(BANDS)),
            Param(
                "tenure",
                ids.tenure,
                "Tenure",
                parse=one_of(TENURES),
                show=lambda key: TENURES[key][0],
            ),
            grid_param(ids.table, GRID),
        ),
        parts=(
            Part(
                "scores",
                "Risk scores",
                score_rows,
                distribution_figure,
                note="Tutors per score (the chance of leaving within 30 days, in %), coloured by "
                "band",
            ),
            Part(
                "at-risk",
                "Expected leavers within 30 days",
                at_risk_rows,
                at_risk_figure,
                note="Per week: the sum of the tutors' chances of leaving, by band; the critical "
                "and high parts are what this week's and next week's calls can reach",
            ),
            Part("tutors", "Tutors by risk", tutor_rows),
            Part("interventions", "What interventions achieved", effect_rows),
            Part(
                "calls",
                "The call list: who a week's calls reach",
                call_rows,
                call_figure,
                note="Held-out tutors, riskiest first: the share of those who left within 30 "
                "days that the calls reached, and the share of the called who left, by calls "
                "per 100 tutors",
            ),
        ),
        kpis=kpi_values,
        explained=Explained("Tutor risk overview", overview_facts),
    )
)
