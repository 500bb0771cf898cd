"""Roles, region scope and the checks every page and callback goes through, on the server."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask_login import current_user
from werkzeug.exceptions import Forbidden, Unauthorized

from auth.audit import audit

ROLES = ("admin", "manager", "analyst", "viewer")
EVERYONE = ROLES
STAFF = ("admin", "manager", "analyst")
ADMINS = ("admin",)
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


def requires(*roles: str) -> Callable[[F], F]:
    """Guard a Dash callback: anonymous -> 401, wrong role -> 403 (and an audit entry)."""
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"roles must be some of {ROLES}; got {roles}")

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
