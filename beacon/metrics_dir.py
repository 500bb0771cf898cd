"""The folder where gunicorn's workers keep their Prometheus counters (multiprocess mode)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import psutil


def prepare() -> Path:
    """An empty folder for this server's counters: stale files of a previous run would add
    up with the new ones."""
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if configured:
        folder = Path(configured)
    else:
        from settings import get_settings

        parent = get_settings().instance_dir / "metrics"
        for old in parent.glob("*"):  # folders of servers that have stopped
            if old.name.isdigit() and not psutil.pid_exists(int(old.name)):
                shutil.rmtree(old, ignore_errors=True)
        folder = parent / str(os.getpid())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
