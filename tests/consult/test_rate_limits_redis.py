"""With REDIS_URL set, attempt counters live in Redis, so the limit holds across workers."""

from __future__ import annotations

import os
import uuid

import pytest
from flask import Flask
from sqlalchemy import Engine

from consult import create_app
from consult.config import Config
from tests.conftest import CHEAP_ARGON2, per_worker_redis, require
from tests.consult.conftest import MINI, csrf_from

REDIS_URL = per_worker_redis(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_resume_attempts_are_counted_in_redis_across_workers(
    app: Flask, engine: Engine, load_set
) -> None:  # type: ignore[no-untyped-def]
    require(redis_available(), f"Redis is not reachable at {REDIS_URL}")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    url = engine.url.render_as_string(hide_password=False)
    # Two app instances stand for two gunicorn workers sharing one Redis.
    workers = [
        create_app(
            Config(
                database_url=url,
                secret_key="k",
                redis_url=REDIS_URL,
                testing=True,
                **CHEAP_ARGON2,
            )
        )
        for _ in range(2)
    ]
    connection = app.extensions["consult_db"].kw["bind"]
    for worker in workers:
        worker.extensions["consult_db"].configure(
            bind=connection, join_transaction_mode="create_savepoint"
        )
    load_set(MINI)
    # One browser (its session cookie) whose requests reach either worker.
    clients = [worker.test_client() for worker in workers]
    token = csrf_from(clients[0].get("/c/mini-2026/resume").get_data(as_text=True))
    cookie = clients[0].get_cookie("session")
    assert cookie is not None
    clients[1].set_cookie("session", cookie.value)
    statuses = []
    for attempt in range(12):
        code = uuid.uuid4().hex
        reply = clients[attempt % 2].post(
            "/c/mini-2026/resume", data={"code": code, "csrf_token": token}
        )
        statuses.append(reply.status_code)
    assert statuses[:10] == [422] * 10
    assert statuses[10:] == [429, 429]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_starts_from_one_address_are_counted_in_redis_across_workers(
    app: Flask, engine: Engine, load_set
) -> None:  # type: ignore[no-untyped-def]
    """The burst past which starts wait counts every worker's starts, and so do the minutes of
    completes the monitoring page shows."""
    require(redis_available(), f"Redis is not reachable at {REDIS_URL}")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    url = engine.url.render_as_string(hide_password=False)
    workers = [
        create_app(
            Config(
                database_url=url, secret_key="k", redis_url=REDIS_URL, testing=True, **CHEAP_ARGON2
            )
        )
        for _ in range(2)
    ]
    connection = app.extensions["consult_db"].kw["bind"]
    for worker in workers:
        worker.config["CONSULT_START_BURST"] = "2 per 10 minutes"
        worker.extensions["consult_db"].configure(
            bind=connection, join_transaction_mode="create_savepoint"
        )
    load_set(MINI)
    statuses = []
    for number in range(3):
        browser = workers[number % 2].test_client()
        token = csrf_from(browser.get("/c/mini-2026").get_data(as_text=True))
        reply = browser.post("/c/mini-2026/start", data={"consent": "y", "csrf_token": token})
        statuses.append(reply.status_code)
    assert statuses == [303, 303, 429]
    keys = [key.decode() for key in redis.Redis.from_url(REDIS_URL).keys("*start:wave:*")]
    assert keys and not any("127.0.0.1" in key for key in keys)
