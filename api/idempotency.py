"""`Idempotency-Key` on POST: a retried request gets the first answer again and is never done
twice. The key is claimed in the database before the work starts, so two copies sent at once
cannot both run; the second hears that the first is still running (409)."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Response, make_response, request
from flask_login import current_user

from api.problems import problem
from auth import idempotency
from auth.requests import now
from data import api_tokens

HEADER = "Idempotency-Key"


def _fingerprint() -> str:
    """The request as its meaning: the same JSON re-indented or with its keys reordered is
    the same request (a retry through another client was refused as "a different one")."""
    digest = hashlib.sha256(f"{request.method} {request.full_path}\n".encode())
    body = request.get_json(silent=True)  # already parsed and checked (api.v1)
    digest.update(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        if body is not None
        else request.get_data(cache=True)
    )
    return digest.hexdigest()


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not 1 <= len(key) <= 255 or not key.isprintable():
            return problem(400, f"{HEADER}: send 1 to 255 printable characters.")
        token_id = current_user.token_id
        kept = idempotency.claim(token_id=token_id, key=key, fingerprint=_fingerprint(), now=now())
        if kept is not None:
            return _replay(kept)
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            # Actions write in one transaction, and an error before or in it leaves nothing:
            # a retry may run the request again.
            idempotency.release(token_id=token_id, key=key)
            raise
        if response.status_code >= 500:
            idempotency.release(token_id=token_id, key=key)  # nothing was done
            return response
        idempotency.keep(
            token_id=token_id,
            key=key,
            status=response.status_code,
            body=response.get_data(as_text=True),
            headers={"Content-Type": response.headers.get("Content-Type", "")},
        )
        return response

    return run


def _replay(kept: api_tokens.KeptAnswer) -> Response:
    if kept.fingerprint != _fingerprint():
        return problem(
            422, f"This {HEADER} was used for a different request; use a new key for a new request."
        )
    if kept.status is None:
        return problem(409, f"A request with this {HEADER} is still running; retry in a moment.")
    response = Response(kept.body or "", status=kept.status)
    response.headers["Content-Type"] = kept.headers.get("Content-Type") or "application/json"
    response.headers["Idempotent-Replayed"] = "true"
    return response
