"""Structured logs through structlog: one line per event, with the time, level, logger,
and whatever the request bound (request id, user, route). The standard library's records
(gunicorn, Celery, SQLAlchemy, our own `logging.getLogger`) take the same path.

BEACON_LOG_FORMAT: `json` (one JSON object per line), `console` (readable key=value), or
`auto`: console on a terminal, JSON otherwise (under a process manager, in a container).
"""

from __future__ import annotations

import logging
import sys

import structlog
import structlog.tracebacks

SHARED: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.ExtraAdder(),
    structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
]


def configure_from_settings() -> None:
    from settings import get_settings

    settings = get_settings()
    configure(settings.log_format, settings.log_level)


def configure(fmt: str = "auto", level: str = "INFO") -> None:
    json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    # Tracebacks as data, without local variables: those hold passwords, tokens and inputs.
    tracebacks = structlog.processors.ExceptionRenderer(
        structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
    )
    final = [tracebacks] if json else []
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *final, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # apscheduler.executors: "Running job ..." and "... executed successfully" at info for every
    # tick (the webhook sender ticks every 15 s); its errors and missed runs still show.
    quiet = ("werkzeug", "alembic", "urllib3", "kaleido", "choreographer", "apscheduler.executors")
    for noisy in quiet:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for name in ("gunicorn.error", "gunicorn.access", "celery", "celery.task", "celery.worker"):
        logger = logging.getLogger(name)
        logger.handlers = []  # through the root's handler, in the same format
        logger.propagate = True
    structlog.configure(
        processors=[*SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
