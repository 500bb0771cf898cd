"""Share and embed links, attacked over HTTP: a share link needs a signed-in user and opens
its view with its filters; an embed link shows only its view with its bound filters, carries
no session, reaches no callback, and stops working when it expires or is revoked."""

from __future__ import annotations

import html
import json
import re
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import update

import app as beacon  # noqa: F401  (pages register their views with the app)
from auth.requests import now
from data import audit as audit_log
from data import links
from data.engine import connect, transaction
from data.models import ViewLink
from tests.auth.helpers import new_client, payload, server_callbacks
from tests.sharing.client import link_address, make_link, signed_in

pytestmark = [
    pytest.mark.browser,  # embed pages draw their charts with Chromium
    pytest.mark.skipif(
        not (shutil.which("chromium") or shutil.which("chromium-browser")),
        reason="embed pages draw their charts with Chromium (apt-get install chromium)",
    ),
]


@pytest.fixture
def scored(scored_url, use_database):  # type: ignore[no-untyped-def]
    use_database(scored_url)
    return scored_url


def path_of(address: str) -> str:
    return "/" + address.split("/", 3)[3]


def audited(action: str) -> str:
    with connect() as conn:
        rows, _ = audit_log.audit_log(conn=conn, action=action, limit=1)
    return str(rows.iloc[0]["detail"]) if len(rows) else ""


def test_a_share_link_opens_the_view_with_its_filters_for_signed_in_users_only(scored):
    address = link_address(make_link(signed_in("viewer"), "tutor-risk", "share", "?band=high"))
    assert re.fullmatch(r"http://[^/]+/s/[A-Za-z0-9_-]{10}", address)
    assert "band=high" in audited("share.create")
    other = signed_in("analyst")
    opened = other.get(path_of(address))
    assert opened.status_code == 302 and opened.headers["Location"] == "/tutor-risk?band=high"
    anonymous = new_client().get(path_of(address))
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert other.get("/s/NOSUCHCODE").status_code == 404


def embed(role: str = "admin", search: str = "?band=high&tenure=long", **kw):  # type: ignore[no-untyped-def]
    client = signed_in(role, **kw)
    return client, path_of(link_address(make_link(client, "tutor-risk", "embed", search)))


def test_an_embed_link_shows_its_view_to_anyone_and_keeps_no_session(scored):
    _, path = embed()
    visitor = new_client()
    page = visitor.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Tutor risk overview" in text and "Band: high" in text and "Tenure: Over 2 years" in text
    assert "<script" not in text and "data:image/svg+xml;base64," in text
    # Each chart says what it measures, as its card does, without the card's "click" hint.
    assert "Tutors per score (the chance of leaving within 30 days, in %), coloured by band" in text
    assert "click a bar" not in text
    assert "Set-Cookie" not in page.headers
    assert "frame-ancestors *" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers
    assert "expires_at" in audited("embed.create")


def test_an_embed_link_is_bound_to_its_filters(scored):
    _, path = embed()
    text = new_client().get(path + "?band=low&region=2").get_data(as_text=True)
    assert "Band: high" in text and "Band: low" not in text and "Region: All" in text


def test_an_embed_link_reaches_no_callback_and_no_other_view(scored):
    _, path = embed()
    visitor = new_client()
    assert visitor.get(path).status_code == 200
    admin = signed_in("admin")
    for callback in server_callbacks(admin):
        response = visitor.post("/_dash-update-component", json=payload(callback))
        assert response.status_code == 401, callback["output"]
    for other in ("/_dash-layout", "/_dash-dependencies"):
        assert visitor.get(other).status_code == 401
    for other in ("/tutor-risk", "/credit", "/admin/users", "/schedules/export.ics"):
        response = visitor.get(other)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_forged_or_tampered_embed_token_is_refused(scored):
    _, path = embed()
    token = path.rsplit("/", 1)[1]
    code = json.loads(__import__("base64").urlsafe_b64decode(token.split(".")[0] + "=="))
    for forged in (token[:-2] + "xx", f"{code}", "." + token, "x" * 300):
        assert new_client().get(f"/embed/{forged}").status_code == 404


def test_an_expired_embed_link_is_refused(scored):
    _, path = embed()
    code = new_code(path)
    with transaction() as conn:
        conn.execute(
            update(ViewLink)
            .where(ViewLink.code == code)
            .values(expires_at=now() - timedelta(seconds=1))
        )
    page = new_client().get(path)
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)


def new_code(path: str) -> str:
    """The link code inside an embed address's signed token."""
    from itsdangerous import URLSafeSerializer

    signer = URLSafeSerializer(beacon.server.config["SECRET_KEY"], salt="beacon-embed-link")
    return str(signer.loads(path.rsplit("/", 1)[1]))


def revoke_payload(client, link_id: int) -> dict:  # type: ignore[no-untyped-def]
    callback = next(c for c in server_callbacks(client) if "links-result" in c["output"])
    body = payload(callback)
    body["inputs"] = [
        [{"id": {"type": "links-revoke", "index": link_id}, "property": "n_clicks", "value": 1}]
    ]
    body["changedPropIds"] = [
        json.dumps({"index": link_id, "type": "links-revoke"}, separators=(",", ":")) + ".n_clicks"
    ]
    return body


def test_a_revoked_embed_link_is_refused_and_only_its_owner_or_an_admin_may_revoke(scored):
    owner, path = embed("manager", regions=(1,))
    assert new_client().get(path).status_code == 200
    with connect() as conn:
        link = links.find_link(conn=conn, code=new_code(path))
    other = signed_in("manager", regions=(1, 2))
    refused = other.post("/_dash-update-component", json=revoke_payload(other, link.id))
    assert "was not yours" in refused.get_data(as_text=True)
    assert new_client().get(path).status_code == 200
    done = owner.post("/_dash-update-component", json=revoke_payload(owner, link.id))
    assert "Link revoked" in done.get_data(as_text=True)
    page = new_client().get(path)
    assert page.status_code == 410 and "revoked" in page.get_data(as_text=True)
    with connect() as conn:
        rows, _ = audit_log.audit_log(conn=conn, action="link.revoked", limit=1)
    assert int(rows.iloc[0]["entity_id"]) == link.id


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_only_admins_and_managers_may_make_embed_links(scored, role):
    response = make_link(signed_in(role), "tutor-risk", "embed", "")
    assert response.status_code == 403 and "/embed/" not in response.get_data(as_text=True)


def test_a_managers_embed_shows_their_regions_and_dies_with_their_account(scored):
    _, path = embed("manager", search="", regions=(1,))
    text = new_client().get(path).get_data(as_text=True)
    from pages import tutor_risk as page
    from tests.conftest import acting_as

    with acting_as("manager", regions=(1,)):
        mine = page.kpi_values({"region": None})
    with acting_as("analyst"):
        everyone = page.kpi_values({"region": None})
    assert mine != everyone
    for label, value in mine:
        assert re.search(rf"{label}</div><div class=\"h5 mb-0\">{value}<", text), label
    with connect() as conn:
        creator = links.find_link(conn=conn, code=new_code(path)).created_by
    from data import accounts

    with connect() as conn:
        name = accounts.account_by_id(conn=conn, user_id=creator).display_name
    # Read by anyone: the regions are named as the creator's, not "your".
    assert f"Region: All of {name}'s regions: North<" in html.unescape(text)
    with transaction() as conn:
        accounts.set_active(conn=conn, user_id=creator, active=False, now=now())
    assert new_client().get(path).status_code == 410
