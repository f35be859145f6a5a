"""Structured logs: one JSON line per request, and a request id that ties a line to a page.

A line holds what an operator needs and nothing a citizen would mind: the method, the route
*pattern* (`/c/<wave_slug>/p/<page_id>`, never the path typed, which can hold a resume or
invitation code), the status, the duration and the request id. Never a query string, a form
field, a cookie, a token or an address. The same id is in the `X-Request-Id` header and on every
error page, so a citizen who reports a problem can quote it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import sys
import time
from typing import Any

from flask import Flask, Response, g, request

LOGGER_NAME = "consult.requests"
# An id from our own proxy (nginx's $request_id) is kept when it looks like one; anything else a
# client sends is replaced, so a log line never carries text an outsider chose.
_INCOMING_ID = re.compile(r"[A-Za-z0-9-]{16,64}")
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = record.exc_info[0].__name__
            line["trace"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def log_level() -> str:
    """CONSULT_LOG_LEVEL (debug, info, warning, error), INFO when unset; a typo stops the start."""
    text = (os.environ.get("CONSULT_LOG_LEVEL") or "INFO").strip().upper()
    if text not in _LEVELS:
        raise ValueError(f"CONSULT_LOG_LEVEL must be one of {', '.join(_LEVELS)}, not {text!r}")
    return text


def configure_logging(level: str | None = None) -> None:
    """JSON lines on stderr for the app's loggers (`consult.*`, the app's own, Flask-Limiter's).
    Safe to call again (one handler each); records still reach the root logger (tests)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("consult", "flask_limiter", "flask-limiter"):
        logger = logging.getLogger(name)
        if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
            logger.addHandler(handler)
        logger.setLevel(level or log_level())


def init_app(app: Flask) -> None:
    """Give every request an id before anything else, and log it once after everything else."""
    app.before_request(_assign_request_id)
    # after_request functions run last-registered first: this one, registered before the commit,
    # runs after it and sees the final status.
    app.after_request(_log_request)
    app.jinja_env.globals["request_id"] = request_id


def request_id() -> str:
    """The current request's id (created on first use, also on an error before any view)."""
    if "request_id" not in g:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _INCOMING_ID.fullmatch(incoming) else secrets.token_hex(16)
        g.request_started = time.perf_counter()
    value: str = g.request_id
    return value


def _assign_request_id() -> None:
    request_id()


def _log_request(response: Response) -> Response:
    response.headers["X-Request-Id"] = request_id()
    started = g.get("request_started", time.perf_counter())
    rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
    status = response.status_code
    logging.getLogger(LOGGER_NAME).log(
        logging.ERROR if status >= 500 else logging.INFO,
        "request",
        extra={
            "fields": {
                "method": request.method,
                "route": rule,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "request_id": request_id(),
            }
        },
    )
    return response
