"""Charts drawn on the server as PNG or SVG: kaleido driving the system Chromium.

One Chromium per process is kept running after the first image (about 2 s to start, then
about 0.15 s an image); calls are serialised, since kaleido's server takes one at a time."""

from __future__ import annotations

import atexit
import threading
import warnings

import plotly.graph_objects as go
import plotly.io as pio

IMAGE_FORMATS = ("png", "svg")
_lock = threading.Lock()
_running = False


class ImagesUnavailable(RuntimeError):
    """Chromium could not draw the chart (missing or crashed)."""


def _start() -> None:
    global _running
    import kaleido  # only in a worker that draws an image (4 MB)

    if not _running:
        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        _running = True


def figure_image(figure: go.Figure, fmt: str, *, width: int = 1000, height: int = 500) -> bytes:
    """The figure as PNG (at twice the size, for sharp print) or SVG bytes."""
    global _running
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"fmt must be one of {IMAGE_FORMATS}; got {fmt!r}")
    with _lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kaleido warns that a running server ignores options
        for attempt in (1, 2):
            try:
                _start()
                return pio.to_image(
                    figure, format=fmt, width=width, height=height, scale=2 if fmt == "png" else 1
                )
            except Exception as error:  # a dead Chromium: start a new one once, then give up
                import kaleido

                kaleido.stop_sync_server(silence_warnings=True)
                _running = False
                if attempt == 2:
                    raise ImagesUnavailable(str(error)) from error
    raise AssertionError("unreachable")
