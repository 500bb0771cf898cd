"""Every route is behind sign-in except the few that must not be."""

from __future__ import annotations

from flask import jsonify, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

PUBLIC_PREFIXES = (
    "/login",
    "/forgot-password",
    "/reset-password",
    "/auth/",
    "/healthz",
    "/readyz",
    "/assets/",
    "/_dash-component-suites/",
    "/_favicon.ico",
    "/theme.css",
    "/calendar/",  # subscription feeds: the secret token in the address is the credential
    "/embed/",  # read-only embed links: signed, expiring, revocable; they carry no session
    "/api/",  # the API: a bearer token on every request (auth.bearer), never a session
)


PUBLIC_PATHS = {"/metrics"}  # Prometheus: its own token or loopback rule (observability.scrape)


def require_sign_in() -> Response | None:
    path = request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES) or current_user.is_authenticated:
        return None
    if path.startswith("/_"):  # Dash's own endpoints and anything else machine-facing
        response = jsonify(error="Sign in first.")
        response.status_code = 401
        return response
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico", "/theme.css")


def no_store(response: Response) -> Response:
    """Signed-in pages and data never go to the browser's cache (nor its back-forward cache),
    so after sign-out the Back button cannot show them again."""
    if not request.path.startswith(STATIC_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
    return response
