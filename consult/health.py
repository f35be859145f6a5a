"""`/healthz` and `/readyz` for load balancers and orchestrators.

`/healthz`: the process answers (it touches nothing else, so a database outage never makes the
balancer kill healthy workers). `/readyz`: this instance can serve citizens: the database answers,
its schema is at the migrations' head, and Redis answers when REDIS_URL is set. Both answer plain
JSON with 200 or 503 and say only which check failed, never an error text, a host or a version.
"""

from __future__ import annotations

import functools
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app, jsonify
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from consult.db import db
from consult.migrate import MIGRATIONS

OK = "ok"


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/readyz", "readyz", readyz)


def healthz() -> Any:
    return _no_store(jsonify(status=OK), 200)


def readyz() -> Any:
    config = current_app.config["CONSULT"]
    checks = {"database": _database(db.engine)}
    checks["migrations"] = _migrations(db.engine) if checks["database"] == OK else "unknown"
    if config.redis_url:
        checks["rate_limit_store"] = _redis(config.redis_url)
    else:
        # Not a failure (one process, or a test), but production needs Redis: say so.
        checks["rate_limit_store"] = "memory (per worker: set REDIS_URL in production)"
    ready = all(value == OK or value.startswith("memory") for value in checks.values())
    return _no_store(
        jsonify(status=OK if ready else "unavailable", checks=checks), 200 if ready else 503
    )


def _no_store(response: Any, status: int) -> Any:
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _database(engine: Engine) -> str:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return "unreachable"
    return OK


def _migrations(engine: Engine) -> str:
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError:
        return "unknown"
    return OK if current == _heads() else "behind"


@functools.cache
def _heads() -> set[str]:
    """The migrations' heads: read from the scripts once per process (they do not change)."""
    return set(ScriptDirectory(str(MIGRATIONS)).get_heads())


def _redis(url: str) -> str:
    import redis

    try:
        return OK if _redis_client(url).ping() else "unreachable"
    except redis.RedisError:
        return "unreachable"


@functools.cache
def _redis_client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
