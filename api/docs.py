"""Where the API describes itself: the OpenAPI document and the Swagger UI, both public (they
hold no data), the UI's files served from the installed package, never a CDN."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    request,
    send_from_directory,
)
from werkzeug.exceptions import HTTPException

from api.problems import problem

STATIC = Path(__file__).parent / "static"
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Beacon API</title>
  <link rel="stylesheet" href="/api/docs/swagger/css/swagger-ui.css">
</head>
<body>
  <main id="swagger-ui"></main>
  <script src="/api/docs/swagger/js/swagger-ui-bundle.js"></script>
  <script src="/api/docs/swagger/js/swagger-ui-standalone-preset.js"></script>
  <script src="/api/docs/beacon-swagger.js"></script>
</body>
</html>
"""
blueprint = Blueprint("api_docs", __name__)


@blueprint.get("/api/v1/openapi.json")
def openapi_document() -> Response:
    return jsonify(current_app.api_doc)  # type: ignore[attr-defined]


@blueprint.get("/api/docs")
def docs() -> Response:
    return redirect("/api/docs/", 308)  # type: ignore[return-value]


@blueprint.get("/api/docs/beacon-swagger.js")
def swagger_init() -> Response:
    return send_from_directory(STATIC, "swagger-init.js", mimetype="text/javascript")


METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@blueprint.route("/api", methods=METHODS, defaults={"rest": ""}, strict_slashes=False)
@blueprint.route("/api/<path:rest>", methods=METHODS)
def nothing_here(rest: str) -> Response:
    """Any other /api/ address is a problem (404), never the app's HTML shell; an address that
    takes other methods answers 405 and names them in Allow."""
    allowed = methods_at(request.path)
    if allowed:
        response = problem(405, f"/api/{rest} takes {', '.join(allowed)}, not {request.method}.")
        response.headers["Allow"] = ", ".join(allowed)
        return response
    return problem(404, f"There is no API endpoint {request.method} /api/{rest}.")


def methods_at(path: str) -> list[str]:
    """The methods an address's own routes take (this catch-all's aside)."""
    adapter = current_app.url_map.bind("localhost")
    found = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            endpoint, _ = adapter.match(path, method=method)
        except HTTPException:
            continue
        if endpoint != f"{blueprint.name}.{nothing_here.__name__}":
            found.append(method)
    return found
