"""The Data import page's files over plain HTTP (admins only): the upload form's target,
each load's problem report, and the contract's templates and documentation.

Uploads are a multipart form (in a frame on the page) posted here, not a Dash callback: the
browser streams the files, werkzeug spools them to disk, and they are copied in chunks, so a
1 GB file never sits in a worker's memory or in a 1 MB callback request.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    send_file,
    session,
)
from werkzeug.exceptions import RequestEntityTooLarge

from actions.base import Refused
from actions.imports import report_file
from actions.uploads import receive_files
from auth.access import ADMINS, allowed, current_actor
from auth.audit import audit
from auth.csrf import check_csrf
from auth.requests import now
from data.contract import BY_NAME
from data.contract.docs import markdown, template
from settings import get_settings

PAGE = "/admin/import"
NOTICE = "import_notice"  # a message for the page, read once (the upload form reloads it)
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
blueprint = Blueprint("imports", __name__, template_folder="templates")


def _admins_only(what: str) -> None:
    if not allowed(ADMINS):
        audit("access.denied", what=what, path=request.path)
        abort(403)


@blueprint.get(f"{PAGE}/upload")
def upload_form() -> str:
    """The form the page shows in a frame: a native file input, which Dash has no component
    for; it posts to the page's window, so the answer reloads the page with the upload."""
    _admins_only("data upload")
    return render_template(
        "import_upload.html",
        action=f"{PAGE}/upload",
        limit=f"{get_settings().import_max_mb:,.0f}",
    )


@blueprint.post(f"{PAGE}/upload")
def upload() -> Any:
    _admins_only("data upload")
    request.max_content_length = int(get_settings().import_max_mb * 1_000_000) + 1_000_000
    try:
        check_csrf()
        sent = request.files.getlist("files")
    except RequestEntityTooLarge:
        limit = get_settings().import_max_mb
        session[NOTICE] = (
            f"That upload is over the limit of {limit:,.0f} MB (BEACON_IMPORT_MAX_MB). Upload "
            "fewer files at a time, or load them with `python -m beacon load` on the server."
        )
        return redirect(PAGE)
    result = receive_files(
        actor=current_actor(), files=[(f.filename or "", f.stream) for f in sent], now=now()
    )
    if isinstance(result, Refused):
        session[NOTICE] = result.message
        return redirect(PAGE)
    return redirect(f"{PAGE}?upload={result.token}")


@blueprint.get(f"{PAGE}/report/<int:load_id>.csv")
def report(load_id: int) -> Response:
    _admins_only("data load report")
    path = report_file(load_id)
    if not path.exists():
        abort(404)
    audit("export.load_report", entity_type="data_load", entity_id=load_id)
    return send_file(
        path, mimetype="text/csv", as_attachment=True, download_name=f"load-{load_id}-problems.csv"
    )


@blueprint.get(f"{PAGE}/templates/<name>.<file_format>")
def entity_template(name: str, file_format: str) -> Response:
    _admins_only("data template")
    entity = BY_NAME.get(name)
    if entity is None or file_format not in MIME:
        abort(404)
    return Response(
        template(entity, file_format),
        mimetype=MIME[file_format],
        headers={"Content-Disposition": f'attachment; filename="{entity.name}.{file_format}"'},
    )


@blueprint.get(f"{PAGE}/data-contract.md")
def contract() -> Response:
    _admins_only("data contract")
    return Response(
        markdown(),
        mimetype="text/markdown",
        headers={"Content-Disposition": 'attachment; filename="beacon-data-contract.md"'},
    )
