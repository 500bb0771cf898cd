"""Files an admin uploads on the Data import page, kept on disk until they are loaded.

An upload is a folder under the instance directory named by an unguessable token, with a
manifest of who sent which files. Only its uploader reads it back, so a token seen in a URL
is no use to anyone else. The load itself runs later, in a background job, from these files.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from actions.base import Actor, Refused, record
from data.engine import transaction
from settings import get_settings

TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
KEPT_FOR = timedelta(days=7)
CHUNK = 1 << 20


@dataclass(frozen=True)
class UploadedFile:
    name: str  # as the admin's computer named it
    path: Path
    size: int


@dataclass(frozen=True)
class Upload:
    token: str
    files: list[UploadedFile]

    @property
    def named(self) -> list[tuple[Path, str]]:
        return [(f.path, f.name) for f in self.files]


def uploads_dir() -> Path:
    return get_settings().instance_dir / "imports" / "uploads"


def receive_files(
    *, actor: Actor, files: Sequence[tuple[str, IO[bytes]]], now: datetime
) -> Upload | Refused:
    """Keep the sent files for a later check and load. Each is copied in 1 MB chunks and cut
    off at BEACON_IMPORT_MAX_MB, so no file is ever held in memory whole."""
    if not actor.may(("admin",)):
        return Refused("Only admins load data.", denied=True, detail={"what": "data upload"})
    named = [(Path(name or "").name.strip(), stream) for name, stream in files]
    named = [(name, stream) for name, stream in named if name]
    if not named:
        return Refused("Choose at least one file to upload.")
    limit = int(get_settings().import_max_mb * 1_000_000)
    _forget_old_uploads(now)
    token = secrets.token_urlsafe(24)
    folder = uploads_dir() / token
    folder.mkdir(parents=True)
    kept: list[UploadedFile] = []
    for index, (name, stream) in enumerate(named):
        path = folder / f"{index:03d}{Path(name).suffix.lower()[:12]}"
        size = _copy(stream, path, limit)
        if size > limit:
            shutil.rmtree(folder)
            return Refused(
                f"{name} is over the limit of {limit / 1e6:,.0f} MB (BEACON_IMPORT_MAX_MB). "
                "Split it, or load it with `python -m beacon load` on the server."
            )
        kept.append(UploadedFile(name, path, size))
    manifest = {
        "user_id": actor.user_id,
        "received_at": now.isoformat(),
        "files": [{"name": f.name, "path": f.path.name, "size": f.size} for f in kept],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with transaction() as conn:
        record(
            conn,
            actor,
            "data.uploaded",
            now=now,
            files=[f.name for f in kept],
            bytes=sum(f.size for f in kept),
        )
    return Upload(token, kept)


def uploaded(*, actor: Actor, token: object) -> Upload | None:
    """The actor's own upload of that token; None for anyone else's, or an unknown token."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    manifest_file = uploads_dir() / token / "manifest.json"
    if not manifest_file.exists():
        return None
    manifest = json.loads(manifest_file.read_text())
    if manifest.get("user_id") != actor.user_id:
        return None
    folder = manifest_file.parent
    return Upload(
        token,
        [UploadedFile(f["name"], folder / f["path"], int(f["size"])) for f in manifest["files"]],
    )


def _copy(stream: IO[bytes], path: Path, limit: int) -> int:
    size = 0
    with path.open("wb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                break
            out.write(chunk)
    return size


def _forget_old_uploads(now: datetime) -> None:
    """Uploads older than a week are removed: they were loaded, or given up on."""
    root = uploads_dir()
    if not root.exists():
        return
    cutoff = (now - KEPT_FOR).timestamp()
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
