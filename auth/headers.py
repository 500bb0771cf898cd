"""Security headers on every answer, request size limits, and a dev server that does not
name its software.

The Content-Security-Policy allows scripts from this site and Dash's own inline scripts by
their hashes (Dash computes them), nothing from elsewhere. Styles allow inline styles,
which Plotly and React set at run time. Embed links keep the stricter policy of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Response, request
from werkzeug.serving import WSGIRequestHandler

MAX_REQUEST_BYTES = 1 * 1024 * 1024  # a Dash callback's inputs; uploads get their own limit
TOO_LARGE = "That request is too large for Beacon. Nothing was saved."


def content_security_policy(script_hashes: Sequence[str]) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(script_hashes),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


def security_headers(script_hashes: Callable[[], Sequence[str]]) -> Callable[[Response], Response]:
    """An after_request hook. The hashes are asked for on every answer (a few small sha256
    sums): a module imported later may register another inline clientside callback."""

    def add(response: Response) -> Response:
        headers = response.headers
        if not request.path.startswith("/embed/"):  # embeds set their own frame-ancestors
            headers.setdefault("Content-Security-Policy", content_security_policy(script_hashes()))
            headers["X-Frame-Options"] = "SAMEORIGIN"
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response

    return add


class QuietRequestHandler(WSGIRequestHandler):
    """The development server's Server header names no software and no version."""

    def version_string(self) -> str:
        return "Beacon"
