"""The targets, as the benchmark issue states them (2-core machine, large demo data)."""

from __future__ import annotations

CALLBACK_COLD_P50_MS = 100
CALLBACK_COLD_P95_MS = 300
CALLBACK_WARM_P95_MS = 50
RESPONSE_MAX_BYTES = 2_000_000  # the page's initial JSON; here: one callback's answer
FIGURE_MAX_BYTES = 1_000_000
REFRESH_MAX_S = 30
SCORE_100K_MAX_S = 1
WORKER_MAX_MB = 600
