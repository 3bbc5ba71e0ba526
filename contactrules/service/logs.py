"""Structured logs: one JSON object per line on stderr, each with the request id.

Named ``logs`` rather than ``logging`` so that no reader mistakes it for the standard module.

What is never logged: request or response bodies, consumer ids, phone numbers, addresses,
messages, API keys, and exception messages (a validation error or a driver's message can quote
the input). A failure is logged by its exception type and the code locations of its traceback,
which is what a developer needs and holds no data. What is logged: the route template, status,
duration, tenant id, counts of decisions, verdicts and denying rule ids, ruleset fingerprints.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import sys
import traceback
from typing import Any

__all__ = ["REQUEST_ID", "JsonFormatter", "configure", "log_event", "logger"]

#: The id of the request being served in this task ("-" outside requests).
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
logger = logging.getLogger("contactrules.service")


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time, level, event, request id and the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", None) or "message",
            "pid": record.process,
        }
        request_id = REQUEST_ID.get()
        if request_id != "-":
            out["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            out.update(fields)
        if out["event"] == "message":
            out["message"] = record.getMessage()
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            out["error_type"] = exc_type.__name__
            out["traceback"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(tb)
            ]
        return json.dumps(out, ensure_ascii=False, default=str)


def configure(level: str = "info") -> None:
    """Send every logger's records (uvicorn's included) to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        named = logging.getLogger(name)
        named.handlers.clear()
        named.propagate = True


def log_event(event: str, level: int = logging.INFO, /, **fields: Any) -> None:
    """Log an event with its fields (plain values only; never personal data).

    The record is made directly, without the logging module's search of the call stack for
    the caller's file and line (no log line shows them): a request's line costs less.
    """
    if logger.isEnabledFor(level):
        extra = {"event": event, "fields": fields}
        logger.handle(logger.makeRecord(logger.name, level, "", 0, event, (), None, extra=extra))
