"""The app served as in production, for the browser and load measurements: gunicorn with
web workers on a free local port, on the benchmark database (the environment `bench.run`
set up), and the memory of each worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Served:
    url: str
    pid: int

    def worker_rss_mb(self) -> list[int]:
        """Each web worker's resident memory now, in MB."""
        workers = psutil.Process(self.pid).children()
        return [round(w.memory_info().rss / 2**20) for w in workers]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(workers: int, log: Path, threads: int = 1) -> Iterator[Served]:
    """Sync workers, or with `threads` > 1 threaded ones (gthread, as `beacon serve` runs)."""
    port = _free_port()
    command = [
        sys.prefix + "/bin/gunicorn",
        "app:server",
        f"--workers={workers}",
        *([f"--threads={threads}", "--worker-class=gthread"] if threads > 1 else []),
        f"--bind=127.0.0.1:{port}",
        "--timeout=120",
        "--no-control-socket",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(url + "/healthz", timeout=10).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {log}")
            time.sleep(0.5)
        yield Served(url, process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
