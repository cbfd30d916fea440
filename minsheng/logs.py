"""structlog set-up: JSON when not on a terminal, pretty on one; case id and unit bound per case.

The standard library's loggers (Temporal's, uvicorn's, alembic's) go through the same renderer, so
every line is one format. Temporal's workflow and activity loggers carry their context in
``extra``; ``_temporal_context`` lifts the case id and unit out of it onto the line.
"""

import logging
import sys
from typing import Any

import structlog

from minsheng.temporal import case_id_of


def _temporal_context(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    record = event.get("_record")
    if record is not None:
        for key in ("case_id", "unit"):
            value = getattr(record, key, None)
            if value is not None:
                event.setdefault(key, value)
        workflow = getattr(record, "temporal_workflow", None) or getattr(record, "temporal_activity", None)
        if isinstance(workflow, dict) and "workflow_id" in workflow:
            case_id = case_id_of(str(workflow["workflow_id"]))
            if case_id is not None:
                event.setdefault("case_id", case_id)
    return event


def configure_logging(fmt: str = "auto", level: str = "INFO") -> None:
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _temporal_context,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False) if use_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
