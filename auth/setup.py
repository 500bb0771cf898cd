"""Wire sign-in into the Flask server: cookies, flask-login, limits, OIDC, the guard."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_limiter.errors import RateLimitExceeded
from werkzeug.middleware.proxy_fix import ProxyFix

from auth import calendar_feed, oidc, views
from auth.guard import no_store, require_sign_in
from auth.ratelimit import limiter
from auth.sessions import NoSessionForApi, login_manager
from settings import Settings


def init_auth(server: Flask, settings: Settings) -> None:
    server.config.update(
        SESSION_COOKIE_NAME="beacon_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        # Redis down: each worker counts in memory until it is back, and sign-in goes on.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_STORAGE_OPTIONS={"socket_timeout": 1, "socket_connect_timeout": 1},
    )
    if settings.trusted_proxies:
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app,
            x_for=settings.trusted_proxies,
            x_proto=settings.trusted_proxies,
        )
    server.session_interface = NoSessionForApi()
    login_manager.init_app(server)
    limiter.init_app(server)
    server.register_blueprint(views.blueprint)
    server.register_blueprint(oidc.blueprint)
    server.register_blueprint(calendar_feed.blueprint)
    oidc.register_providers(server, settings)
    server.register_error_handler(RateLimitExceeded, views.rate_limited)
    server.before_request(require_sign_in)
    server.after_request(no_store)
