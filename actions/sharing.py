"""Share and embed links: make one for a view with its filters, revoke one.

A share link opens the view for anyone signed in (each sees what their own role allows);
an embed link shows it read-only, as its maker sees it, until it expires. Admins and
managers make embed links; anyone revokes their own links, admins anyone's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from actions.base import Actor, Refused, is_id, record
from data import links
from data.engine import transaction
from vocabulary import MANAGERS

EMBED_MAKERS = MANAGERS
EMBED_DAYS = {1: "1 day", 7: "7 days", 30: "30 days", 90: "90 days"}  # how long, as offered


@dataclass(frozen=True)
class LinkMade:
    code: str
    kind: str
    expires_at: datetime | None


def make_link(
    *,
    actor: Actor,
    kind: str,
    view: str,
    query: str,
    embeddable: bool,
    days: Any,
    now: datetime,
) -> LinkMade | Refused:
    if kind not in ("share", "embed"):
        return Refused("Choose a share or an embed link.", denied=True)
    if kind == "embed" and (not actor.may(EMBED_MAKERS) or not embeddable):
        return Refused(
            "Embed links are made by admins and managers, for views that can be embedded.",
            denied=True,
            detail={"what": "embed link", "view": view, "role": actor.role},
        )
    valid_days = days if is_id(days) else None
    if kind == "embed" and valid_days not in EMBED_DAYS:
        return Refused("Pick how long the link stays valid.")
    expires = now + timedelta(days=valid_days) if kind == "embed" and valid_days else None
    with transaction() as conn:
        link = links.create_link(
            conn=conn,
            kind=kind,
            view=view,
            query=query,
            created_by=actor.user_id,
            now=now,
            expires_at=expires,
        )
        record(
            conn,
            actor,
            f"{kind}.create",
            now=now,
            entity_type="view_link",
            entity_id=link.id,
            view=view,
            filters=link.query,
            expires_at=expires.isoformat() if expires else None,
        )
    return LinkMade(code=link.code, kind=kind, expires_at=expires)


def revoke_link(*, actor: Actor, link_id: Any, now: datetime) -> bool:
    """True when a link was revoked: the actor's own, or any for an admin. Another user's
    link id revokes nothing."""
    if not is_id(link_id):
        return False
    with transaction() as conn:
        done = links.revoke_link(
            conn=conn,
            link_id=link_id,
            by_user=None if actor.may(("admin",)) else actor.user_id,
            now=now,
        )
        if done:
            record(conn, actor, "link.revoked", now=now, entity_type="view_link", entity_id=link_id)
    return done
