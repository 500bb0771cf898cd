"""Opening links: `/s/<code>` (signed-in users) and `/embed/<token>` (anyone holding it).

An embed page is plain HTML made on the server: the view's title, its bound filters, KPIs,
charts as images and the first rows of its tables. It carries no script and no session, so
it reaches no other view, no other filter values and no callback. Its data is read in the
scope of the link's creator, who must still be active and allowed to embed; the token is
signed, and its row is checked for expiry and revocation on every request."""

from __future__ import annotations

import base64
from typing import Any

from flask import Blueprint, Response, current_app, g, redirect, render_template
from itsdangerous import BadSignature, URLSafeSerializer

from actions.sharing import EMBED_MAKERS
from auth.audit import audit
from auth.requests import now
from auth.sessions import SignedInUser
from data import accounts, links
from data.cache import AREAS, generation, remember
from data.engine import connect
from settings import get_settings

EMBED_ROLES = EMBED_MAKERS
EMBED_TABLE_ROWS = 50
blueprint = Blueprint("sharing", __name__, template_folder="templates")


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="beacon-embed-link")


def embed_token(code: str) -> str:
    return _signer().dumps(code)


@blueprint.get("/s/<code>")
def open_share(code: str) -> Any:
    """A share link opens its view with its filters; the user's own role and scope apply."""
    from sharing.views import VIEWS

    with connect() as conn:
        link = links.find_link(conn=conn, code=code[:24])
    view = VIEWS.get(link.view) if link and link.kind == "share" else None
    if link is None or view is None or not link.live(now()):
        return _gone("This share link does not exist or was revoked.", 404)
    audit("share.open", entity_type="view_link", entity_id=link.id, view=link.view)
    return redirect(view.path + link.query)


def _gone(message: str, status: int) -> Response:
    response = Response(render_template("embed_gone.html", message=message), status=status)
    return _embed_headers(response)


def _embed_headers(response: Response) -> Response:
    ancestors = get_settings().embed_ancestors
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src data:; style-src 'self' 'unsafe-inline'; "
        f"frame-ancestors {ancestors}; base-uri 'none'; form-action 'none'"
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@blueprint.get("/embed/<token>")
def open_embed(token: str) -> Response:
    from sharing.views import VIEWS

    try:
        code = _signer().loads(token[:200])
    except BadSignature:
        return _gone("This embed link is not valid.", 404)
    moment = now()
    with connect() as conn:
        link = links.find_link(conn=conn, code=str(code))
        creator = accounts.account_by_id(conn=conn, user_id=link.created_by) if link else None
    view = VIEWS.get(link.view) if link and link.kind == "embed" else None
    view = view if view is not None and view.embeddable else None
    if link is None or view is None or creator is None:
        return _gone("This embed link is not valid.", 404)
    if not link.live(moment):
        why = "was revoked" if link.revoked_at else "has expired"
        return _gone(f"This embed link {why}. Ask its owner for a new one.", 410)
    if not creator.is_active or creator.role not in EMBED_ROLES or creator.role not in view.roles:
        return _gone("This embed link is no longer valid.", 410)
    # Read as the creator, for this request only: no session is made or kept.
    g._login_user = SignedInUser(
        creator.id, creator.email, creator.display_name, creator.role, creator.region_ids, 0, ""
    )
    # The maker's role and regions are part of the key: a change to either shows at once.
    maker = f"{creator.role}:{','.join(map(str, sorted(creator.region_ids)))}"
    key = f"embed:{link.code}:{maker}:" + ":".join(generation(a) for a in AREAS)
    page = remember(key, lambda: _render(view, link))
    return _embed_headers(Response(page, mimetype="text/html"))


def _render(view: Any, link: links.Link) -> str:
    from components.formatting import column_label
    from sharing import exports, images
    from sharing.report import shown_rows

    state = view.state(link.query)
    charts, tables = [], []
    for part in view.parts_shown(state):
        frame = part.rows(state)
        figure = part.figure(frame, None) if part.figure else None
        if figure is not None:
            svg = images.figure_image(figure, "svg", width=900, height=420)
            charts.append((part.title, part.note, base64.b64encode(svg).decode()))
        else:
            head = frame.head(EMBED_TABLE_ROWS)
            headers = [column_label(c) for c in head.columns]
            tables.append((part.title, headers, shown_rows(head, 200), len(frame)))
    return render_template(
        "embed.html",
        title=view.title,
        filters=view.described(state),
        data_as_of=exports.newest_data(),
        kpis=view.kpis(state) if view.kpis else [],
        charts=charts,
        tables=tables,
        expires=link.expires_at,
    )
