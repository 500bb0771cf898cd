"""A real Redis for the scale-out tests: TEST_REDIS_URL when set, else a throwaway
`redis-server` on a free port (no persistence), else the tests are skipped with the reason."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator

from tests.postgres import Unavailable, _free_port


def redis_url() -> Iterator[str]:
    given = os.environ.get("TEST_REDIS_URL")
    if given:
        yield given
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise Unavailable("no redis-server on this machine (apt-get install redis-server)")
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="beacon-redis-")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_for(url)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_for(url: str, seconds: float = 10) -> None:
    import redis

    deadline = time.monotonic() + seconds
    while True:
        try:
            redis.Redis.from_url(url).ping()
            return
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise Unavailable(f"redis-server did not answer on {url}") from None
            time.sleep(0.1)
