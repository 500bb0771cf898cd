"""An embed link reads as its maker: a region the maker lost, or a role that may no longer
embed, must vanish from the link at once, not when the cache expires."""

from __future__ import annotations

from sqlalchemy import select

from auth.requests import now
from data import accounts, links
from data.engine import connect, transaction
from data.models import Region
from tests.auth.helpers import new_client
from tests.sharing.client import link_address, make_link, signed_in
from tests.sharing.test_links import new_code, path_of, scored  # noqa: F401 (fixture)


def region_cells() -> dict[int, str]:
    """Each region as the embed's table shows it (its code in a cell)."""
    with connect() as conn:
        return {i: f"<td>{code}</td>" for i, code in conn.execute(select(Region.id, Region.code))}


def maker_of(path: str) -> int:
    with connect() as conn:
        return links.find_link(conn=conn, code=new_code(path)).created_by


def test_an_embed_drops_a_region_its_maker_lost_at_once(scored):  # noqa: F811
    client = signed_in("manager", regions=(1, 2))
    path = path_of(link_address(make_link(client, "tutor-risk", "embed", "")))
    names = region_cells()
    before = new_client().get(path).get_data(as_text=True)
    assert names[2] in before
    with transaction() as conn:
        accounts.set_regions(conn=conn, user_id=maker_of(path), region_ids=[1])
    after = new_client().get(path).get_data(as_text=True)
    assert names[1] in after and names[2] not in after


def test_an_embed_stops_when_its_maker_may_no_longer_embed_or_is_disabled(scored):  # noqa: F811
    client = signed_in("manager", regions=(1,))
    path = path_of(link_address(make_link(client, "tutor-risk", "embed", "")))
    assert new_client().get(path).status_code == 200
    with transaction() as conn:
        accounts.set_role(conn=conn, user_id=maker_of(path), role="viewer")
    assert new_client().get(path).status_code == 410
    with transaction() as conn:
        accounts.set_role(conn=conn, user_id=maker_of(path), role="manager")
    assert new_client().get(path).status_code == 200
    with transaction() as conn:
        accounts.set_active(conn=conn, user_id=maker_of(path), active=False, now=now())
    assert new_client().get(path).status_code == 410
