"""A tutor's profile: risk and why, activity over time, notes, interventions and a timeline."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from datetime import date, timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.dependencies import Wildcard
from dash.development.base_component import Component
from flask_login import current_user

from actions import tutor_care as care
from actions.base import Refused
from ai import insights
from analytics.interventions import Recommendation, left_by
from analytics.kpis import by_status, weekly, weekly_frame
from analytics.narrative import noticed
from auth.access import (
    EVERYONE,
    AccessDenied,
    allowed,
    check_region,
    current_actor,
    deny_if_forged,
    requires,
)
from auth.requests import now
from components.badges import band_badge
from components.chart_card import chart_body, chart_card
from components.empty_state import empty_state
from components.figures import stacked_bars
from components.filters import field
from components.formatting import factor_line, local_datetime
from components.insight import insight_card
from components.shell import ids as shell_ids
from components.table import data_table
from components.theme import Figure, themed, values
from components.tutor_model_card import chance_text, percentile_text
from components.view_tools import view_actions, view_location
from data import accounts, tutor_care, tutor_risk
from data.engine import connect
from data.queries.overview import daily_sessions
from settings import business_today
from sharing.embed import EMBED_ROLES
from sharing.views import Param, Part, View, record_id, register
from sharing.views import State as ViewState
from vocabulary import (
    INTERVENTION_LABELS,
    INTERVENTION_STATUSES,
    OPEN_INTERVENTIONS,
    STATUS_LABELS,
)

dash.register_page(
    __name__,
    path="/tutor-risk/tutor",
    name="Tutor profile",
    area="Tutor risk",
    nav=False,
    roles=EVERYONE,
)

WRITERS = care.WRITERS

VIEW = "tutor-profile"


class ids:
    tutor = "profile-tutor"
    version = "profile-version"
    activity = "profile-activity"
    risk = "profile-risk"
    notes = "profile-notes"
    note_text = "profile-note-text"
    note_important = "profile-note-important"
    note_save = "profile-note-save"
    note_editing = "profile-note-editing"
    note_result = "profile-note-result"
    interventions = "profile-interventions"
    pick = "profile-intervention-pick"
    status = "profile-intervention-status"
    outcome = "profile-intervention-outcome"
    move = "profile-intervention-save"
    move_result = "profile-intervention-result"
    move_form = "profile-intervention-form"
    timeline = "profile-timeline"
    owner = "profile-intervention-owner"
    draft = "profile-draft-message"
    draft_note = "profile-draft-note"
    draft_text = "profile-draft-text"

    @staticmethod
    def plan(kind: str | Wildcard) -> dict[str, Any]:
        return {"type": "profile-plan", "index": kind}

    @staticmethod
    def edit(note_id: int | Wildcard) -> dict[str, Any]:
        return {"type": "profile-note-edit", "index": note_id}

    @staticmethod
    def delete(note_id: int | Wildcard) -> dict[str, Any]:
        return {"type": "profile-note-delete", "index": note_id}


def layout(id: str | None = None, **_kwargs: str) -> Component:  # noqa: A002 (the URL's ?id=)
    try:
        tutor_id = int(id or "")
    except ValueError:
        return empty_state("No tutor chosen", "Open a tutor from the risk overview.")
    with connect() as conn:
        tutor = tutor_care.tutor_detail(conn=conn, tutor_id=tutor_id)
        model = tutor_risk.active_model(conn=conn)
        scores = (
            tutor_care.score_history(conn=conn, model_id=model["id"], tutor_ids=[tutor_id])
            if model and tutor
            else pd.DataFrame()
        )
        here = tutor is not None and not has_left(tutor)
        recs = care.recommendations(conn, tutor_id, scores.iloc[-1]) if len(scores) and here else []
        planned = tutor_care.interventions(conn=conn, tutor_id=tutor_id) if tutor else None
        open_kinds = (
            set(planned.loc[planned["status"].isin(OPEN_INTERVENTIONS), "kind"])
            if planned is not None
            else set()
        )
        owners = (
            accounts.intervention_owners(conn=conn, region_id=tutor["region_id"])
            if tutor
            else pd.DataFrame(columns=["id", "display_name"])
        )
    if tutor is None:
        return empty_state("No such tutor", "The link may be old; open the tutor from the list.")
    try:
        check_region(tutor["region_id"])
    except AccessDenied:
        return empty_state(
            "This tutor is outside your regions", "Ask an administrator if you need to see them."
        )
    latest = scores.iloc[-1] if len(scores) else None
    writer = current_user.role in WRITERS
    return html.Div(
        [
            dcc.Store(id=ids.tutor, data=tutor_id),
            dcc.Store(id=ids.version, data=0),
            dcc.Store(id=ids.note_editing, data=None),
            view_location(VIEW),
            dcc.Link("← Risk overview", href="/tutor-risk"),
            header(tutor, latest),
            view_actions(VIEW, can_embed=allowed(EMBED_ROLES)),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(body_id=ids.activity, **SPEC.card("activity")),
                        lg=7,
                    ),
                    dbc.Col(
                        chart_card(body_id=ids.risk, **SPEC.card("risk")),
                        lg=5,
                    ),
                ],
                className="g-3 my-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        interventions_card(
                            recs, writer, owners, left_on=_left_on(tutor), open_kinds=open_kinds
                        ),
                        lg=7,
                    ),
                    dbc.Col(notes_card(writer), lg=5),
                ],
                className="g-3",
            ),
            dbc.Card(
                dbc.CardBody([html.H2("Timeline", className="h6"), html.Div(id=ids.timeline)]),
                className="mt-3",
            ),
            *([message_card()] if writer and not has_left(tutor) else []),
        ]
    )


def has_left(tutor: dict[str, Any]) -> bool:
    """Whether the tutor has left by today: no retention steps or messages for them."""
    return _left_on(tutor) is not None


def _left_on(tutor: dict[str, Any]) -> date | None:
    return left_by(tutor.get("left_on"), business_today())


def message_card() -> Component:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Message to the tutor", className="h6"),
                html.P(
                    "A draft from the tutor's top risk factors and open interventions. "
                    "Edit it and send it from your own mail.",
                    className="small text-secondary",
                ),
                dbc.Button("Draft a message", id=ids.draft, color="secondary", size="sm"),
                dcc.Loading(html.Div(id=ids.draft_note, className="mt-2")),
                dbc.Label("Draft", html_for=ids.draft_text, className="visually-hidden"),
                dbc.Textarea(id=ids.draft_text, rows=12, maxLength=6000, className="mt-2"),
            ]
        ),
        className="mt-3",
    )


@callback(
    Output(ids.draft_text, "value"),
    Output(ids.draft_note, "children"),
    Input(ids.draft, "n_clicks"),
    State(ids.tutor, "data"),
    prevent_initial_call=True,
)
@requires(*WRITERS)
def draft_message(clicked: int | None, tutor_id: Any) -> tuple[str, Component]:
    if not clicked:
        raise dash.exceptions.PreventUpdate
    tutor = allowed_tutor(tutor_id)
    scores = score_history(tutor["id"])
    with connect() as conn:
        done = tutor_care.interventions(conn=conn, tutor_id=tutor["id"])
    factors = noticed(scores.iloc[-1]["top_factors"]) if len(scores) else []
    open_items = done[done["status"].isin(OPEN_INTERVENTIONS)]
    agreed = [
        f"{kind.replace('_', ' ').capitalize()}: {reason}"
        for kind, reason in zip(open_items["kind"], open_items["reason"], strict=True)
    ]
    draft = insights.tutor_message(
        tutor=tutor["name"],
        factors=factors,
        interventions=agreed,
        manager=current_user.display_name,
        user_id=current_user.user_id,
    )
    note = insight_card(
        "Draft ready below.", source=draft.source, note=draft.note, retry=draft.retry
    )
    return draft.text, note


def header(tutor: dict[str, Any], latest: pd.Series | None) -> Component:
    facts = [f"{tutor['subject']} · {tutor['region']} · hired {tutor['hired_on']:%Y-%m-%d}"]
    if tutor["left_on"]:
        facts.append(f"left {tutor['left_on']:%Y-%m-%d}")
    risk: list[Component] = [html.Span("Not scored yet", className="text-body-secondary")]
    if latest is not None:
        ranked = percentile_text(latest.get("percentile"))
        risk = [
            html.Span(f"Risk score {latest['score']}", className="kpi-value me-2"),
            band_badge(latest["band"]),
            html.P(
                "Chance of leaving within 30 days: "  # no "a 11%": no article to agree
                f"{chance_text(latest['score'], latest['probability'])}"
                + (f"; more likely to leave than {ranked}" if ranked != "—" else "")
                # The factors are that day's: "16 days since the last session" is not today's.
                + f". Scored on {pd.Timestamp(latest['as_of']):%Y-%m-%d}, with these reasons:",
                className="small text-body-secondary mb-0 mt-1",
            ),
            html.Ul(
                [html.Li(factor_line(f)) for f in latest["top_factors"]]
                or [html.Li("No single factor stands out")],
                className="factor-list mt-2",
            ),
        ]
    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.H2(tutor["name"], className="h4 mb-1"),
                            html.P(" · ".join(facts), className="text-body-secondary mb-0"),
                        ],
                        md=6,
                    ),
                    dbc.Col(risk, md=6),
                ]
            )
        ),
        className="mt-2",
    )


def plan_button(is_open: bool, writer: bool) -> tuple[str, str, bool]:
    """A recommendation's button: its label, colour and whether it is disabled."""
    if is_open:
        return "Already open", "secondary", True
    return "Plan it", "primary", not writer


def interventions_card(
    recs: list[Recommendation],
    writer: bool,
    owners: pd.DataFrame,
    *,
    left_on: date | None = None,
    open_kinds: Collection[str] = (),
) -> Component:
    """The recommendations, each with its "Plan it" (a kind already open is said to be, and
    cannot be planned twice), and the tutor's interventions."""
    recommended: list[Component] = []
    if recs:
        for rec in recs:
            label, color, disabled = plan_button(rec.kind in open_kinds, writer)
            button = dbc.Button(
                label,
                id=ids.plan(rec.kind),
                size="sm",
                outline=True,
                color=color,
                disabled=disabled,
            )
            recommended.append(
                html.Li(
                    [
                        html.Strong(rec.kind.replace("_", " ").capitalize()),
                        f": {rec.reason}, by {rec.due_on:%Y-%m-%d} ",
                        button,
                    ]
                )
            )
    form = dbc.Row(
        [
            field("Intervention", dcc.Dropdown(id=ids.pick), md=5),
            field(
                "Status",
                dbc.Select(
                    id=ids.status,
                    options=[
                        {"label": STATUS_LABELS[s], "value": s} for s in INTERVENTION_STATUSES
                    ],
                ),
                md=3,
            ),
            field("Outcome", dbc.Input(id=ids.outcome, maxLength=1000), md=4),
        ],
        className="g-2",
    )
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Interventions", className="h6"),
                html.P(
                    "Recommended from this tutor's own risk factors:"
                    if recommended
                    else f"Left on {left_on:%Y-%m-%d}: nothing to plan."
                    if left_on
                    else "Nothing is recommended at this risk level.",
                    className="mb-1",
                ),
                html.Div(
                    [
                        dbc.Label("Assign to", html_for=ids.owner, className="me-2"),
                        dcc.Dropdown(
                            id=ids.owner,
                            value=current_user.user_id,
                            clearable=False,
                            options=[
                                {"label": n, "value": int(i)}
                                for i, n in owners[["id", "display_name"]].itertuples(index=False)
                            ],
                        ),
                    ],
                    hidden=not (writer and recommended),
                    className="mb-2",
                ),
                html.Ul(recommended, className="mb-3"),
                html.Div(id=ids.interventions),
                # Shown while an intervention is open (`show_records`): with none, two empty
                # dropdowns and an Update button had nothing to move.
                html.Div(
                    [form, dbc.Button("Update", id=ids.move, size="sm", className="mt-2")],
                    id=ids.move_form,
                    hidden=True,
                ),
                html.Div(id=ids.move_result, role="status", className="mt-2"),
            ]
        )
    )


def notes_card(writer: bool) -> Component:
    editor = html.Div(
        [
            dbc.Label("Note", html_for=ids.note_text),
            dbc.Textarea(id=ids.note_text, maxLength=tutor_care.MAX_NOTE, rows=3),
            dbc.Checkbox(id=ids.note_important, label="Important", value=False),
            dbc.Button("Save note", id=ids.note_save, size="sm", className="mt-1"),
            html.Div(id=ids.note_result, role="status", className="mt-2"),
        ],
        hidden=not writer,
    )
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Manager notes", className="h6"),
                editor,
                html.Div(id=ids.notes, className="mt-3"),
            ]
        )
    )


def activity_rows(state: ViewState) -> pd.DataFrame:
    """Behind "Sessions per week": per week the sessions by outcome and the average rating."""
    tutor = allowed_tutor(state["id"])
    scores = score_history(tutor["id"])
    with connect() as conn:
        end = scores["as_of"].max() if len(scores) else pd.Timestamp.now(tz="UTC").normalize()
        daily = daily_sessions(
            conn=conn, since=end - timedelta(weeks=26), until=end, tutor_id=tutor["id"]
        )
    wide = by_status(daily, value="sessions")
    if wide.empty:
        return pd.DataFrame()
    last = end - timedelta(days=1)
    weeks = weekly_frame(wide, end=last, weeks=26)
    ratings = daily.groupby("day")[["rated", "rating_sum"]].sum()
    rated = weekly(ratings["rated"], end=last, weeks=26)
    weeks["average_rating"] = weekly(ratings["rating_sum"], end=last, weeks=26) / rated.replace(
        0, float("nan")
    )
    return weeks.rename_axis("week").reset_index()


def activity_figure(rows: pd.DataFrame, theme: str | None) -> Figure | None:
    if rows.empty:
        return None
    weeks = rows.set_index("week")
    average = weeks.pop("average_rating")
    activity = stacked_bars(weeks, theme=theme, y_title="sessions")
    # Ratings over time on a second axis: the weekly average of the rated sessions.
    activity["data"].append(
        {
            "type": "scatter",
            "x": values(average.index),
            "y": values(average),
            "name": "average rating",
            "yaxis": "y2",
            "mode": "lines+markers",
            "line": {"color": "#495057", "dash": "dot"},
            "connectgaps": False,
            "hovertemplate": "%{y:.2f}<extra>rating</extra>",
        }
    )
    activity["layout"]["yaxis2"] = {
        "title": {"text": "rating"},
        "overlaying": "y",
        "side": "right",
        "range": [1, 5.2],
        "tickvals": values([1, 2, 3, 4, 5]),
        "showgrid": False,
    }
    return activity


def risk_rows(state: ViewState) -> pd.DataFrame:
    """Behind "Risk score over time": the tutor's weekly scores under the active model."""
    return score_history(allowed_tutor(state["id"])["id"])


def risk_figure(scores: pd.DataFrame, theme: str | None) -> go.Figure | None:
    if scores.empty:
        return None
    risk = themed(
        go.Figure(
            go.Scatter(x=scores["as_of"], y=scores["score"], mode="lines+markers", name="score")
        ),
        theme,
    )
    # A tenth above the highest score, so the highest point is drawn whole, not cut in half
    # by the chart's top edge.
    return risk.update_layout(
        # Short enough for a phone's chart height (the card's note says "within 30 days").
        yaxis_title="chance of leaving (%)",
        yaxis_range=[0, max(50.0, float(scores["score"].max()) * 1.1)],
    )


@callback(
    Output(ids.activity, "children"),
    Output(ids.risk, "children"),
    Input(ids.tutor, "data"),
    Input(shell_ids.theme, "data"),
)
@requires(*EVERYONE)
def show_charts(tutor_id: Any, theme: str | None) -> tuple[Any, ...]:
    state = {"id": tutor_id}
    return (
        chart_body(
            activity_figure(activity_rows(state), theme),
            empty_title="No sessions",
            empty_hint="None in 26 weeks.",
        ),
        chart_body(
            risk_figure(risk_rows(state), theme),
            empty_title="Not scored yet",
            empty_hint="Scores come weekly.",
        ),
    )


def score_history(tutor_id: int) -> pd.DataFrame:
    """The tutor's weekly scores under the active model (empty before any scoring)."""
    with connect() as conn:
        model = tutor_risk.active_model(conn=conn)
        if model is None:
            return pd.DataFrame()
        return tutor_care.score_history(conn=conn, model_id=model["id"], tutor_ids=[tutor_id])


def allowed_tutor(tutor_id: Any) -> dict[str, Any]:
    """The tutor behind a (possibly forged) id, if the user may see them."""
    try:
        tutor_id = int(tutor_id)
    except (TypeError, ValueError):
        raise dash.exceptions.PreventUpdate from None
    with connect() as conn:
        tutor = tutor_care.tutor_detail(conn=conn, tutor_id=tutor_id)
    if tutor is None:
        raise dash.exceptions.PreventUpdate
    check_region(tutor["region_id"])
    return tutor


@callback(
    Output(ids.notes, "children"),
    Output(ids.interventions, "children"),
    Output(ids.pick, "options"),
    Output(ids.move_form, "hidden"),
    Output(ids.timeline, "children"),
    # What was just planned reads "Already open", and the form holds it (the newest open),
    # with its status: a planner goes straight on to move it.
    Output(ids.plan(ALL), "children"),
    Output(ids.plan(ALL), "color"),
    Output(ids.plan(ALL), "disabled"),
    Output(ids.pick, "value"),
    Output(ids.status, "value"),
    Input(ids.tutor, "data"),
    Input(ids.version, "data"),
    State(ids.pick, "value"),
)
@requires(*EVERYONE)
def show_records(tutor_id: Any, _version: Any, picked: Any = None) -> tuple[Any, ...]:
    tutor = allowed_tutor(tutor_id)
    with connect() as conn:
        notes = tutor_care.notes(conn=conn, tutor_id=tutor["id"])
        done = tutor_care.interventions(conn=conn, tutor_id=tutor["id"])
    may_change = current_user.role in WRITERS
    note_items = [
        note_card(
            row,
            may_edit=may_change
            and (row["author_id"] == current_user.user_id or current_user.role == "admin"),
        )
        for row in notes.to_dict("records")
    ]
    table = data_table(
        done,
        {
            "kind": "Intervention",
            "status": "Status",
            "owner": "Owner",
            "due_on": "Due",
            "outcome": "Outcome",
            "reason": "Why",
        },
        cells={
            "kind": lambda v, _r: INTERVENTION_LABELS.get(v, str(v).replace("_", " ")),
            "status": lambda v, _r: STATUS_LABELS.get(v, v),
        },
        empty_title="No interventions yet",
        # Not "plan one of the recommendations above": a low-risk tutor has none, and a
        # reader may not plan (a walk read the two as a contradiction).
        empty_hint=(
            "They have left: nothing was planned for them."
            if has_left(tutor)
            else "The interventions planned for this tutor appear here."
        ),
    )
    still_open = [r for r in done.to_dict("records") if r["status"] in OPEN_INTERVENTIONS]
    options = [
        {
            "label": f"#{r['id']} {r['kind'].replace('_', ' ')} "
            f"({STATUS_LABELS.get(r['status'], r['status']).lower()})",
            "value": int(r["id"]),
        }
        for r in still_open
    ]
    chosen = next((r for r in still_open if r["id"] == picked), None) or max(
        still_open, key=lambda r: r["id"], default=None
    )
    open_kinds = {r["kind"] for r in still_open}
    buttons = [
        plan_button(out["id"]["index"] in open_kinds, may_change) for out in ctx.outputs_list[5]
    ]
    return (
        note_items
        or empty_state(
            "No notes yet",
            "Managers and admins write notes; everyone who may open this profile reads them.",
        ),
        table,
        options,
        not (may_change and options),
        timeline(notes, done),
        [label for label, _, _ in buttons],
        [color for _, color, _ in buttons],
        [disabled for _, _, disabled in buttons],
        int(chosen["id"]) if chosen else None,
        chosen["status"] if chosen else None,
    )


def note_card(row: Mapping[Hashable, Any], *, may_edit: bool) -> dbc.Card:
    """One note: who wrote it and when, its text, and Edit and Delete for who may. Others get
    no buttons at all, not hidden ones: each new button fires the edit and delete callbacks,
    which refused a reader and wrote "access denied" to the audit log for a page view."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [
                        dbc.Badge("Important", color="danger", className="me-2")
                        if row["is_important"]
                        else None,
                        html.Small(
                            f"{row['author']}, {local_datetime(row['created_at'])}"
                            + (" (edited)" if pd.notna(row["updated_at"]) else "")
                        ),
                    ]
                ),
                html.P(row["body"], className="note-body mb-1"),
                html.Div(
                    [
                        dbc.Button("Edit", id=ids.edit(int(row["id"])), size="sm", color="link"),
                        # A deleted note is gone (its text stays in the audit log): ask.
                        dcc.ConfirmDialogProvider(
                            dbc.Button("Delete", size="sm", color="link", className="text-danger"),
                            id=ids.delete(int(row["id"])),
                            message="Delete this note? It cannot be restored.",
                        ),
                    ]
                )
                if may_edit
                else None,
            ]
        ),
        className="mb-2",
    )


def timeline(notes: pd.DataFrame, done: pd.DataFrame) -> Component:
    events = [(r["created_at"], f"Note by {r['author']}") for r in notes.to_dict("records")]
    for r in done.to_dict("records"):
        kind = r["kind"].replace("_", " ")
        events.append((r["created_at"], f"{kind.capitalize()} planned by {r['owner']}"))
        if pd.notna(r["completed_at"]):
            events.append(
                (
                    r["completed_at"],
                    f"{kind.capitalize()} {r['status']}: {r['outcome'] or 'no outcome recorded'}",
                )
            )
    if not events:
        return empty_state("Nothing has happened yet", "Notes and interventions appear here.")
    events.sort(key=lambda e: e[0], reverse=True)
    return html.Ul(
        [html.Li([html.Small(f"{local_datetime(when)} "), text]) for when, text in events],
        className="timeline",
    )


@callback(
    Output(ids.version, "data", allow_duplicate=True),
    Output(ids.move_result, "children", allow_duplicate=True),
    Input(ids.plan(ALL), "n_clicks"),
    State(ids.tutor, "data"),
    State(ids.version, "data"),
    State(ids.owner, "value"),
    prevent_initial_call=True,
)
@requires(*WRITERS)
def plan(
    clicks: list[int | None], tutor_id: Any, version: Any, owner: Any = None
) -> tuple[Any, ...]:
    kind = ctx.triggered_id["index"] if isinstance(ctx.triggered_id, dict) else None
    if not any(clicks or []) or not isinstance(kind, str):
        raise dash.exceptions.PreventUpdate
    result = care.plan_intervention(
        actor=current_actor(), tutor_id=tutor_id, kind=kind, owner_id=owner, now=now()
    )
    return answer(result, version)


@callback(
    Output(ids.version, "data", allow_duplicate=True),
    Output(ids.move_result, "children", allow_duplicate=True),
    Input(ids.move, "n_clicks"),
    State(ids.tutor, "data"),
    State(ids.pick, "value"),
    State(ids.status, "value"),
    State(ids.outcome, "value"),
    State(ids.version, "data"),
    prevent_initial_call=True,
)
@requires(*WRITERS)
def move(
    clicks: int | None,
    tutor_id: Any,
    intervention_id: Any,
    status: Any,
    outcome: Any,
    version: Any,
) -> tuple[Any, ...]:
    if not clicks:
        raise dash.exceptions.PreventUpdate
    result = care.move_intervention(
        actor=current_actor(),
        tutor_id=tutor_id,
        intervention_id=intervention_id,
        status=status,
        outcome=outcome if isinstance(outcome, str) else None,
        now=now(),
    )
    return answer(result, version)


def answer(result: care.Done | Refused, version: Any) -> tuple[Any, Component]:
    """A new record version and a success message, or the refusal (forged ones are 403)."""
    deny_if_forged(result)
    if isinstance(result, Refused):
        return dash.no_update, dbc.Alert(result.message, color="warning")
    return (version or 0) + 1, dbc.Alert(result.message, color="success")


@callback(
    Output(ids.version, "data", allow_duplicate=True),
    Output(ids.note_result, "children", allow_duplicate=True),
    Output(ids.note_text, "value", allow_duplicate=True),
    Output(ids.note_editing, "data", allow_duplicate=True),
    Input(ids.note_save, "n_clicks"),
    State(ids.tutor, "data"),
    State(ids.note_text, "value"),
    State(ids.note_important, "value"),
    State(ids.note_editing, "data"),
    State(ids.version, "data"),
    prevent_initial_call=True,
)
@requires(*WRITERS)
def save_note(
    clicks: int | None,
    tutor_id: Any,
    text: str | None,
    important: Any,
    editing: Any,
    version: Any,
) -> tuple[Any, ...]:
    if not clicks:
        raise dash.exceptions.PreventUpdate
    result = care.save_note(
        actor=current_actor(),
        tutor_id=tutor_id,
        body=text if isinstance(text, str) else None,
        important=important is True,
        note_id=editing,
        now=now(),
    )
    saved, message = answer(result, version)
    if isinstance(result, Refused):
        return saved, message, dash.no_update, dash.no_update
    return saved, message, "", None


@callback(
    Output(ids.note_text, "value", allow_duplicate=True),
    Output(ids.note_important, "value"),
    Output(ids.note_editing, "data", allow_duplicate=True),
    Input(ids.edit(ALL), "n_clicks"),
    State(ids.tutor, "data"),
    prevent_initial_call=True,
)
@requires(*WRITERS)
def edit_note(clicks: list[int | None], tutor_id: Any) -> tuple[Any, ...]:
    target = ctx.triggered_id
    if not any(clicks or []) or not isinstance(target, dict):
        raise dash.exceptions.PreventUpdate
    actor = current_actor()
    tutor = care.tutor_for(actor, tutor_id)
    note = (
        tutor if isinstance(tutor, Refused) else care.note_for_change(actor, tutor, target["index"])
    )
    deny_if_forged(note)
    if isinstance(note, Refused):
        raise dash.exceptions.PreventUpdate
    return note["body"], note["is_important"], note["id"]


@callback(
    Output(ids.version, "data", allow_duplicate=True),
    Output(ids.note_result, "children", allow_duplicate=True),
    Input(ids.delete(ALL), "submit_n_clicks"),
    State(ids.tutor, "data"),
    State(ids.version, "data"),
    prevent_initial_call=True,
)
@requires(*WRITERS)
def delete_note(clicks: list[int | None], tutor_id: Any, version: Any) -> tuple[Any, ...]:
    target = ctx.triggered_id
    if not any(clicks or []) or not isinstance(target, dict):
        raise dash.exceptions.PreventUpdate
    result = care.delete_note(
        actor=current_actor(), tutor_id=tutor_id, note_id=target["index"], now=now()
    )
    return answer(result, version)


def _tutor_name(tutor_id: int) -> str:
    with connect() as conn:
        tutor = tutor_care.tutor_detail(conn=conn, tutor_id=tutor_id)
    return str(tutor["name"]) if tutor else f"tutor {tutor_id}"


SPEC = register(
    View(
        name=VIEW,
        path="/tutor-risk/tutor",
        title="Tutor profile",
        roles=EVERYONE,
        params=(Param("id", ids.tutor, "Tutor", parse=record_id, prop="data", show=_tutor_name),),
        parts=(
            Part(
                "activity",
                "Sessions per week",
                activity_rows,
                activity_figure,
                note="By outcome, last 26 weeks",
            ),
            Part(
                "risk",
                "Risk score over time",
                risk_rows,
                risk_figure,
                note="Chance of leaving within 30 days, %, weekly",
            ),
        ),
    )
)
