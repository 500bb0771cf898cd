"""Attacks on the Data import: its upload route, its reports and templates, and its
background load, by strangers, the wrong roles, another admin and hostile file names."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from actions.base import stored_actor
from actions.uploads import uploaded, uploads_dir
from auth.access import REQUESTER_ID
from data.engine import connect
from data.models import AuditEntry, Region
from tests.auth.helpers import csrf, login, new_client, payload, server_callbacks
from tests.conftest import create_test_account

REGIONS = b"external_id,code,name\nR1,NORTH,North\n"


@pytest.fixture
def db(sqlite_url, use_database):  # type: ignore[no-untyped-def]
    use_database(sqlite_url)


def signed_in(role: str):  # type: ignore[no-untyped-def]
    account = create_test_account(role)
    client = new_client()
    assert login(client, account.email).status_code == 302
    return client, account


def send(client, files: dict[str, bytes], token: str | None = None):  # type: ignore[no-untyped-def]
    token = token if token is not None else csrf(client, "/admin/import/upload")
    data = {"csrf_token": token, "files": [(io.BytesIO(b), name) for name, b in files.items()]}
    return client.post("/admin/import/upload", data=data, content_type="multipart/form-data")


def upload_token(response) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r"upload=([\w-]+)$", response.headers.get("Location", ""))
    assert found, response.headers.get("Location")
    return found.group(1)


def load_request(client, token: str, requester: int) -> dict:  # type: ignore[no-untyped-def]
    load = next(c for c in server_callbacks(client) if c["output"] == "import-result.children")
    body = payload(load, {})
    for item in body["inputs"]:
        item["value"] = 1 if item["id"] == "import-load" else None
    values = {"import-upload": token, REQUESTER_ID: requester, "import-skip-bad-rows": False}
    for item in body["state"]:
        item["value"] = values.get(item["id"], "x")
    body["changedPropIds"] = ["import-load.n_clicks"]
    return body


def kept_uploads() -> set[str]:
    return {p.name for p in uploads_dir().glob("*")} if uploads_dir().exists() else set()


def regions() -> int:
    with connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Region)).scalar_one())


def test_strangers_are_sent_to_sign_in_and_send_nothing(db):
    client, before = new_client(), kept_uploads()
    answer = client.post("/admin/import/upload", data={"files": (io.BytesIO(REGIONS), "r.csv")})
    assert answer.status_code in (302, 401) and "/login" in answer.headers.get("Location", "/login")
    assert kept_uploads() == before
    for path in (
        "/admin/import/upload",
        "/admin/import/report/1.csv",
        "/admin/import/data-contract.md",
    ):
        assert client.get(path).status_code in (302, 401)


@pytest.mark.parametrize("role", ["manager", "analyst", "viewer"])
def test_other_roles_cannot_upload_read_reports_or_queue_a_load(db, role):
    admin, admin_account = signed_in("admin")
    token = upload_token(send(admin, {"regions.csv": REGIONS}))
    client, account = signed_in(role)
    assert send(client, {"regions.csv": REGIONS}, token="forged").status_code == 403
    assert client.get("/admin/import/templates/tutors.csv").status_code == 403
    queued = client.post("/_dash-update-component", json=load_request(admin, token, account.id))
    assert queued.status_code == 403 and "cacheKey" not in queued.get_data(as_text=True)
    with connect() as conn:
        denied = conn.execute(
            select(func.count()).where(AuditEntry.action == "access.denied")
        ).scalar_one()
    assert denied >= 2 and regions() == 0


def test_the_upload_needs_the_form_token(db):
    admin, _ = signed_in("admin")
    before = kept_uploads()
    assert send(admin, {"regions.csv": REGIONS}, token="").status_code == 400
    assert kept_uploads() == before


def test_a_hostile_file_name_is_kept_inside_the_upload_and_shown_as_text(db):
    admin, _ = signed_in("admin")
    name = "../../../<img src=x onerror=alert(1)>/regions.csv"
    token = upload_token(send(admin, {name: REGIONS}))
    kept = [p for p in (uploads_dir() / token).iterdir()]
    assert sorted(p.name for p in kept) == ["000.csv", "manifest.json"]
    assert all(p.resolve().is_relative_to(uploads_dir().resolve()) for p in kept)


def test_an_admin_cannot_load_another_admins_upload(db):
    owner, owner_account = signed_in("admin")
    token = upload_token(send(owner, {"regions.csv": REGIONS}))
    _, other_account = signed_in("admin")
    # The job reads the upload as the requester (checked to be the caller before queueing).
    assert uploaded(actor=stored_actor(user_id=other_account.id), token=token) is None
    assert uploaded(actor=stored_actor(user_id=owner_account.id), token=token) is not None
    for forged in ("../" + token, token + "/..", "x" * 19, None, 7):
        assert uploaded(actor=stored_actor(user_id=owner_account.id), token=forged) is None


def test_an_upload_over_the_limit_is_refused_with_the_limit_named(db, monkeypatch):
    from settings import get_settings

    monkeypatch.setenv("BEACON_IMPORT_MAX_MB", "0.00001")  # 10 bytes
    get_settings.cache_clear()
    admin, _ = signed_in("admin")
    before = kept_uploads()
    answer = send(admin, {"regions.csv": REGIONS * 100})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/import")
    with admin.session_transaction() as session:
        assert "over the limit" in session["import_notice"]
    assert kept_uploads() == before
    get_settings.cache_clear()
