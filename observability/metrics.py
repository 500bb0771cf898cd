"""Prometheus metrics. Web workers count requests, callbacks, cache use, failed sign-ins
and rate-limit hits (summed over gunicorn's workers in multiprocess mode); job runs and
the queue depth are read from the database and Redis when scraped, so they hold for every
worker and host."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

REQUESTS = Histogram(
    "beacon_http_request_duration_seconds",
    "Time to answer an HTTP request, by route, method and status class.",
    ["route", "method", "status"],
    buckets=BUCKETS,
)
CALLBACKS = Histogram(
    "beacon_callback_duration_seconds",
    "Time to answer one Dash callback, by its output.",
    ["callback", "status"],
    buckets=BUCKETS,
)
CACHE = Counter("beacon_cache_requests_total", "Cached reads, by result.", ["result"])
LOGIN_FAILURES = Counter("beacon_login_failures_total", "Failed sign-ins, by reason.", ["reason"])
RATE_LIMITED = Counter("beacon_rate_limited_total", "Requests refused by a rate limit.", ["path"])

CONTENT_TYPE = CONTENT_TYPE_LATEST


class RunsCollector(Collector):
    """Job runs from the database (`job_runs`), and the Celery queue's depth from Redis."""

    def __init__(
        self,
        runs: Callable[[], list[dict[str, Any]]],
        queue_depth: Callable[[], int | None],
    ) -> None:
        self.runs, self.queue_depth = runs, queue_depth

    def collect(self) -> Iterator[Any]:
        total = CounterMetricFamily(
            "beacon_job_runs",
            "Refresh and retrain runs, by job and outcome.",
            labels=["job", "trigger", "status"],
        )
        seconds = CounterMetricFamily(
            "beacon_job_run_seconds", "Time spent in finished runs, by job.", labels=["job"]
        )
        last = GaugeMetricFamily(
            "beacon_job_last_success_timestamp_seconds",
            "When each job last succeeded (Unix time).",
            labels=["job"],
        )
        spent: dict[str, float] = {}
        for row in self.runs():
            total.add_metric([row["job"], row["trigger"], row["status"]], row["runs"])
            spent[row["job"]] = spent.get(row["job"], 0.0) + float(row["seconds"] or 0)
            if row["status"] == "succeeded" and row["last_finished"] is not None:
                last.add_metric([row["job"]], row["last_finished"])
        for job, value in spent.items():
            seconds.add_metric([job], value)
        yield from (total, seconds, last)
        depth = self.queue_depth()
        if depth is not None:
            queue = GaugeMetricFamily("beacon_queue_depth", "Tasks waiting for a Celery worker.")
            queue.add_metric([], depth)
            yield queue


def exposition(extra: Collector) -> bytes:
    """The text format: this process's (or every worker's) counters plus `extra`."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        workers = CollectorRegistry()
        multiprocess.MultiProcessCollector(workers)
        counted = generate_latest(workers)
    else:
        counted = generate_latest(REGISTRY)
    scraped = CollectorRegistry()
    scraped.register(extra)
    return counted + generate_latest(scraped)
