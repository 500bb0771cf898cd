"""A Dash callback's answer kept in the shared cache, per role and region scope: a repeat
of the same view (the same inputs, by anyone with the same role and regions, on the same
day) is answered without reading or drawing anything again."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from dash import ctx
from flask_login import current_user

from auth.access import region_scope
from data.cache import Area, through
from settings import business_today

F = TypeVar("F", bound=Callable[..., Any])


def _triggered() -> Any:
    try:
        return ctx.triggered_id
    except Exception:  # called outside a Dash request (tests call callbacks directly)
        return None


def cached_answer(*areas: Area) -> Callable[[F], F]:
    """Keep the answer until a write changes one of `areas` or BEACON_CACHE_SECONDS pass.

    Goes under `@requires`, so only allowed users reach it. Only for callbacks whose answer
    depends on nothing but their inputs, the role, the region scope, the data and the day:
    not on the user's own records, nor on the time of day (one exception, said where it is
    read: Home's booked sessions that ended unmarked, at most BEACON_CACHE_SECONDS behind).
    """

    def decorate(func: F) -> F:
        name = f"answer:{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def answer(*args: Any, **kwargs: Any) -> Any:
            key = {
                "args": list(args),
                "kwargs": kwargs,
                "triggered": _triggered(),
                "role": current_user.role,
                "scope": region_scope(),
                "day": business_today().isoformat(),
            }
            return through(areas, name, key, lambda: func(*args, **kwargs))

        return answer  # type: ignore[return-value]

    return decorate
