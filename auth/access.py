"""Roles, region scope and the checks every page and callback goes through, on the server."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask_login import current_user
from werkzeug.exceptions import Forbidden, Unauthorized

from actions.base import Actor, Refused
from auth.audit import audit
from vocabulary import ADMINS as ADMINS  # the role groups, re-exported for the pages
from vocabulary import MANAGERS as MANAGERS
from vocabulary import ROLES
from vocabulary import STAFF as STAFF

EVERYONE = ROLES
F = TypeVar("F", bound=Callable[..., Any])


class AccessDenied(Forbidden):
    description = "Your role does not allow this."


def allowed(roles: Iterable[str]) -> bool:
    return bool(current_user.is_authenticated and current_user.role in set(roles))


def region_scope() -> list[int] | None:
    """The regions the current user may see: a manager only theirs, everyone else all (None)."""
    if current_user.is_authenticated and current_user.role == "manager":
        return list(current_user.region_ids)
    return None


def check_region(region_id: int | None) -> None:
    """Refuse a region outside the user's scope, e.g. another region's id forged into a request."""
    scope = region_scope()
    if scope is not None and region_id is not None and region_id not in scope:
        audit("access.denied", what="region", region_id=region_id)
        raise AccessDenied()


def _known(roles: tuple[str, ...]) -> None:
    if not roles or set(roles) - set(ROLES):
        raise ValueError(f"roles must be some of {ROLES}; got {roles}")


def requires(*roles: str) -> Callable[[F], F]:
    """Guard a Dash callback: anonymous -> 401, wrong role -> 403 (and an audit entry)."""
    _known(roles)

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                raise Unauthorized()
            if current_user.role not in roles:
                audit(
                    "access.denied",
                    what="callback",
                    callback=func.__qualname__,
                    role=current_user.role,
                )
                raise AccessDenied()
            return func(*args, **kwargs)

        guarded.allowed_roles = roles  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


REQUESTER_ID = "background-requester"


def requires_before_queueing(*roles: str) -> Callable[[F], F]:
    """Guard a Dash *background* callback. Its body runs later in another process (a
    diskcache job or a Celery worker) with no request and no signed-in user, so the app
    checks the role when the request arrives, before anything is queued
    (`check_background_request`), and the requester store must hold the caller's own id."""
    _known(roles)

    def decorate(func: F) -> F:
        func.allowed_roles = roles  # type: ignore[attr-defined]
        func.checked_before_queueing = True  # type: ignore[attr-defined]
        return func

    return decorate


def check_background_request(
    func: Callable[..., Any], body: dict[str, Any], *, polling: bool
) -> None:
    """Refuse a request to a background callback: anonymous 401, wrong role or a forged
    requester 403 (audited). Dash's polls for progress carry signed job handles and no
    inputs: they are checked for the role only."""
    if not current_user.is_authenticated:
        raise Unauthorized()
    roles = func.allowed_roles  # type: ignore[attr-defined]
    named = [
        item.get("value")
        for item in [*body.get("inputs", []), *body.get("state", [])]
        if isinstance(item, dict) and item.get("id") == REQUESTER_ID
    ]
    # A request naming someone else as the requester is forged; naming nobody queues a job
    # that does nothing (it needs a requester to start).
    forged = not polling and any(v is not None and v != current_user.user_id for v in named)
    if current_user.role not in roles or forged:
        audit(
            "access.denied",
            what="background callback",
            callback=func.__qualname__,
            role=current_user.role,
        )
        raise AccessDenied()


def current_actor() -> Actor:
    """The signed-in user as the actions layer knows them: role, regions, address."""
    from auth.requests import client_ip

    scope = region_scope()
    return Actor(
        user_id=current_user.user_id,
        display_name=current_user.display_name,
        role=current_user.role,
        region_ids=None if scope is None else tuple(scope),
        ip=client_ip(),
        token_id=getattr(current_user, "token_id", None),
    )


def deny_if_forged(result: object) -> None:
    """An action refused a request the user was never allowed to make: audit it and answer
    403, as for a wrong role."""
    if isinstance(result, Refused) and result.denied:
        audit("access.denied", **result.detail)
        raise AccessDenied()
