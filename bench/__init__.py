"""Benchmarks against the targets of the project's speed and memory issue: `python -m bench.run`."""
