"""Beacon's operator entry point: `python -m beacon --help`."""
