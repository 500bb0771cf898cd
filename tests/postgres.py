"""A real PostgreSQL for the `db` tests: TEST_DATABASE_URL, or a throwaway cluster started here.

The throwaway cluster lives in a temp directory, listens on 127.0.0.1 only and is
stopped at the end of the session. As root, PostgreSQL refuses to run, so its
commands run as the `postgres` system user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text


class Unavailable(RuntimeError):
    pass


def _bin_dir() -> str:
    found = shutil.which("initdb")
    if found:
        return os.path.dirname(found)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not candidates:
        raise Unavailable("no PostgreSQL server binaries (initdb) on this machine")
    return os.path.dirname(candidates[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a private cluster and yield a superuser URL to its `postgres` database."""
    bin_dir = _bin_dir()
    run_as: list[str] = []
    workdir = tempfile.mkdtemp(prefix="beacon-pg-")
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise Unavailable("running as root and there is no 'postgres' user") from exc
        os.chown(workdir, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(workdir, "data")
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run([*run_as, *args], check=True, capture_output=True, timeout=120)

    try:
        run(f"{bin_dir}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
        options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(f"{bin_dir}/pg_ctl", "-D", data, "-o", options, "-l", f"{workdir}/log", "-w", "start")
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        raise Unavailable(f"could not start a throwaway PostgreSQL cluster: {exc}") from exc
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(workdir, ignore_errors=True)


def server_url() -> Iterator[str]:
    """TEST_DATABASE_URL when set (CI), else a throwaway cluster."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        server = given.replace("postgresql://", "postgresql+psycopg://", 1)
        try:
            yield server
        finally:
            drop_created(server)
        return
    with throwaway_cluster() as url:
        yield url


_created: list[str] = []


def drop_created(server: str) -> None:
    """Drop the databases this session created on a shared server (a throwaway cluster goes
    away whole), so repeated runs do not fill the CI machine's disk. Four at a time: the
    hundreds of drops took 13 s one by one."""
    from concurrent.futures import ThreadPoolExecutor

    engine = create_engine(server, isolation_level="AUTOCOMMIT", pool_size=4)

    def drop(name: str) -> None:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(drop, list(_created)))
    _created.clear()
    engine.dispose()


def create_database(server: str, template: str | None = None) -> str:
    """A fresh database on `server`, empty or a copy of the database `template` (which must
    have no open connections); returns its URL."""
    name = f"beacon_test_{uuid.uuid4().hex[:12]}"
    _created.append(name)
    copy = f' TEMPLATE "{template}"' if template else ""
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    engine.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)
