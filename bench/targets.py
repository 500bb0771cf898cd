"""The targets, as the benchmark issue states them (2-core machine, large demo data)."""

from __future__ import annotations

CALLBACK_COLD_P50_MS = 100
CALLBACK_COLD_P95_MS = 300
CALLBACK_WARM_P95_MS = 50
RESPONSE_MAX_BYTES = 2_000_000  # one callback's answer
FIGURE_MAX_BYTES = 1_000_000
FIRST_DRAWN_MS = 2_500  # first load in Chromium: the main chart (or table) drawn
INITIAL_JSON_MAX_BYTES = 2_000_000  # everything Dash fetched for that first load
TABLE_MAX_ROWS = 10_000  # rows in the browser after the first load
CONCURRENT_USERS = 10
WEB_WORKERS = 3
CONCURRENT_P95_MS = 1_000
REFRESH_MAX_S = 30
SCORE_100K_MAX_S = 1
WORKER_MAX_MB = 600
