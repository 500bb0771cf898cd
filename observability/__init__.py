"""How Beacon reports on itself: JSON logs with a request id, Prometheus metrics."""
