"""Which process does a piece of work (`host:pid`), and which of those have stopped: a job
run or a data load left "running" by a process that crashed or was killed is failed."""

from __future__ import annotations

import os
import socket

import psutil


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def stopped_runners(holders: set[str]) -> set[str]:
    """Runners on this machine whose process has ended (a crash, a cancelled job, a kill);
    another machine's cannot be told from here."""
    host = socket.gethostname()
    stopped = set()
    for holder in holders:
        name, _, pid = holder.rpartition(":")
        if name == host and pid.isdigit() and not psutil.pid_exists(int(pid)):
            stopped.add(holder)
    return stopped
