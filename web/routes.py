"""The server's own routes: liveness, readiness, metrics and the theme stylesheet."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from components.theme import theme_css
from jobs.readiness import readiness
from observability.metrics import CONTENT_TYPE, exposition
from observability.scrape import metrics_allowed, scraped_metrics
from settings import get_settings

blueprint = Blueprint("routes", __name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Each part this deployment needs, with what is wrong; 503 when any is down."""
    ready, body = readiness(get_settings())
    return jsonify(body), 200 if ready else 503


@blueprint.get("/metrics")
def metrics() -> Response:
    """Prometheus: with BEACON_METRICS_TOKEN as a bearer token, or straight from this host
    (no proxy in between). Anyone else finds nothing here."""
    if not metrics_allowed(get_settings()):
        return Response("Not found", 404, mimetype="text/plain")
    return Response(exposition(scraped_metrics()), mimetype=CONTENT_TYPE)


@blueprint.get("/theme.css")
def theme_stylesheet() -> Response:
    return Response(theme_css(), mimetype="text/css")
