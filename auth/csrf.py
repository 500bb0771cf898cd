"""A per-session token for our own HTML forms (Dash requests are JSON and SameSite=Lax)."""

import hmac
import secrets

from flask import abort, request, session


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def check_csrf() -> None:
    sent = request.form.get("csrf_token", "")
    if not hmac.compare_digest(sent, session.get("csrf", "")) or not sent:
        abort(400, "The form expired; reload the page and try again.")
