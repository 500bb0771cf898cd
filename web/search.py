"""The global search in the top bar (Ctrl+K or /): pages, tutors, students, customers, PE
classes and one's own share links, within the user's role and regions. Picking an answer
opens it; the keyboard moves through the answers (arrows, Enter) as in any dropdown."""

from __future__ import annotations

import re
from typing import Any

import dash
import pandas as pd
from dash import Input, Output, callback
from dash.exceptions import PreventUpdate
from flask_login import current_user

from auth.access import EVERYONE, allowed, region_scope, requires
from components.pickers import search_text
from components.shell import ids
from data import search
from data.engine import connect

OPENS = {
    "tutor": ("Tutor", "/tutor-risk/tutor?id={}"),
    "student": ("Student", "/schedules?student={}"),
    "customer": ("Customer", "/credit/customer?id={}"),
    "class": ("PE class", "/pe?class={}"),
    "link": ("Shared view", "/s/{}"),
}
DETAIL = {"student": "grade {}", "class": "grade {}"}


def page_answers(text: str) -> list[dict[str, Any]]:
    """The pages the user may open whose name or area contains the text."""
    wanted = text.casefold()
    return [
        {
            "label": f"Page · {page['name']} ({page.get('area', 'Overview')})",
            "value": page["relative_path"],
        }
        for page in dash.page_registry.values()
        if page.get("nav", True)
        and allowed(page["roles"])
        and (wanted in page["name"].casefold() or wanted in page.get("area", "").casefold())
    ][:8]


def record_answers(found: pd.DataFrame) -> list[dict[str, Any]]:
    """Each record as "Kind · name · detail"; namesakes told apart by their number."""
    labels, answers = [], []
    for row in found.to_dict("records"):
        kind, opens = OPENS[row["kind"]]
        detail = DETAIL.get(row["kind"], "{}").format(row["detail"]) if row["detail"] else ""
        labels.append(f"{kind} · {row['name']}" + (f" · {detail}" if detail else ""))
        answers.append({"label": labels[-1], "value": opens.format(row["key"]), "key": row["key"]})
    twins = {label for label in labels if labels.count(label) > 1}
    return [
        {
            "label": f"{a['label']} #{a['key']}" if a["label"] in twins else a["label"],
            "value": a["value"],
        }
        for a in answers
    ]


@callback(
    Output(ids.search, "options"),
    Input(ids.search, "search_value"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def find_anywhere(text: str | None) -> list[dict[str, Any]]:
    """From two letters on: matching pages first, then records, a few of each kind.

    Closing the box clears its text to None: the answers stay, because emptying them would
    make the dropdown drop the answer just picked and Dash discard its opening."""
    if text is None:
        raise PreventUpdate
    searched = search_text(text) if isinstance(text, str) else None
    if searched is None:
        return []
    with connect() as conn:
        found = search.find_everywhere(
            conn=conn, region_ids=region_scope(), text=searched, user_id=current_user.user_id
        )
    return page_answers((text or "").strip()[:60]) + record_answers(found)


@callback(
    Output(ids.search_go, "href"),
    Output(ids.search, "value"),
    Input(ids.search, "value"),
    prevent_initial_call=True,
)
@requires(*EVERYONE)
def open_answer(chosen: str | None) -> tuple[str, None]:
    """Open what was picked (only addresses inside Beacon), and empty the box again."""
    if not isinstance(chosen, str) or not opens_inside(chosen):
        raise PreventUpdate
    return chosen, None


RECORD_ADDRESS = re.compile(
    r"/(tutor-risk/tutor\?id=|schedules\?student=|credit/customer\?id=|pe\?class=)\d{1,10}"
    r"|/s/[A-Za-z0-9_-]{1,20}"
)


def opens_inside(address: str) -> bool:
    """Only what the search offers: a page's path, or a record's address of OPENS."""
    pages = {page["relative_path"] for page in dash.page_registry.values()}
    return address in pages or RECORD_ADDRESS.fullmatch(address) is not None
