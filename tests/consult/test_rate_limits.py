"""Rate limits count one purpose against one target: a wave's codes, an account, an address.

Every test runs with the counters in memory (one process) and in Redis (`TEST_REDIS_URL`), on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from limits import parse_many
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from consult import create_app
from consult.config import Config
from consult.extensions import db as database
from consult.extensions import limiter
from consult.models import AuditEvent
from consult.organizing import queries as organizing_queries
from consult.organizing.invitations import generate_invitations
from consult.rate_limits import (
    CODE_ADDRESS_LIMIT,
    CODE_BROWSER_LIMIT,
    SIGN_IN_ACCOUNT_LIMIT,
    SIGN_IN_ADDRESS_LIMIT,
)
from tests.conftest import CHEAP_ARGON2, per_worker_redis, require
from tests.consult.conftest import MINI, PASSWORD, csrf_from

REDIS_URL = per_worker_redis(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
LoadSet = Callable[..., str]


def smallest(limit: str) -> int:
    """How many attempts the tightest window of a limit allows."""
    return min(item.amount for item in parse_many(limit))


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["memory", "redis"])
def storage(request: pytest.FixtureRequest) -> str | None:
    if request.param == "memory":
        return None
    require(redis_available(), f"Redis is not reachable at {REDIS_URL}")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    return REDIS_URL


def build_app(engine: Engine, redis_url: str | None, trusted_proxies: int = 0) -> Iterator[Flask]:
    connection = engine.connect()
    transaction = connection.begin()
    app = create_app(
        Config(
            database_url=engine.url.render_as_string(hide_password=False),
            secret_key="test-secret",
            redis_url=redis_url,
            testing=True,
            trusted_proxies=trusted_proxies,
            **CHEAP_ARGON2,
        )
    )
    app.extensions["consult_db"].configure(
        bind=connection, join_transaction_mode="create_savepoint"
    )
    limiter.reset()
    yield app
    transaction.rollback()
    connection.close()


@pytest.fixture
def app(engine: Engine, storage: str | None) -> Iterator[Flask]:
    """The app of the shared fixtures, with its counters in memory or in Redis."""
    yield from build_app(engine, storage)


def invite_waves(app: Flask, load_set: LoadSet, *slugs: str) -> None:
    load_set(MINI, open_wave=False)
    runner = app.test_cli_runner()
    for slug in slugs:
        runner.invoke(args=["waves", "create", slug, "--consultation", "mini", "--mode", "invite"])
        runner.invoke(args=["waves", "open", slug])


def codes_for(app: Flask, slug: str, count: int) -> list[str]:
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, slug)
        assert wave is not None
        codes = generate_invitations(database.session, wave, count, dt.date.today())
        database.commit()
    return codes


def start(client: FlaskClient, wave: str, code: str) -> int:
    """Open the start page (a browser's first visit) and start with `code`."""
    page = client.get(f"/c/{wave}").get_data(as_text=True)
    data = {"consent": "y", "invitation": code, "csrf_token": csrf_from(page)}
    return client.post(f"/c/{wave}/start", data=data).status_code


def wrong_codes(client: FlaskClient, wave: str, count: int) -> list[int]:
    page = client.get(f"/c/{wave}").get_data(as_text=True)
    data = {"consent": "y", "invitation": "AAAA-BBBB-CCCC", "csrf_token": csrf_from(page)}
    return [client.post(f"/c/{wave}/start", data=data).status_code for _ in range(count)]


# --- invitation codes ----------------------------------------------------------------------


def test_wrong_codes_on_one_wave_leave_other_waves_open(app: Flask, load_set: LoadSet) -> None:
    invite_waves(app, load_set, "panel-a", "panel-b")
    valid = codes_for(app, "panel-b", 1)[0]
    browser = app.test_client()
    statuses = wrong_codes(browser, "panel-a", 22)
    allowed = smallest(CODE_BROWSER_LIMIT)
    assert statuses == [422] * allowed + [429] * (22 - allowed)
    assert start(browser, "panel-b", valid) == 303  # same browser, same address, another wave


def test_a_valid_code_from_another_browser_behind_the_same_address_starts(
    app: Flask, load_set: LoadSet
) -> None:
    invite_waves(app, load_set, "panel-a")
    valid = codes_for(app, "panel-a", 1)[0]
    guesser = app.test_client()
    assert wrong_codes(guesser, "panel-a", 22)[-1] == 429
    assert start(app.test_client(), "panel-a", valid) == 303  # a neighbour at the same router
    assert wrong_codes(guesser, "panel-a", 1) == [429]  # the guesser still waits


def test_browsers_that_drop_their_cookies_are_limited_by_address(
    app: Flask, load_set: LoadSet
) -> None:
    invite_waves(app, load_set, "panel-a")
    valid = codes_for(app, "panel-a", 1)[0]
    allowed = smallest(CODE_ADDRESS_LIMIT)
    statuses = [wrong_codes(app.test_client(), "panel-a", 1)[0] for _ in range(allowed)]
    assert statuses == [422] * allowed
    assert start(app.test_client(), "panel-a", valid) == 429
    # Another address is not affected.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert start(other, "panel-a", valid) == 303


# --- signing in ----------------------------------------------------------------------------


def sign_in_from(app: Flask, address: str, email: str, password: str) -> TestResponse:
    """A sign-in from a new browser at `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    page = client.get("/admin/login").get_data(as_text=True)
    data = {"email": email, "password": password, "csrf_token": csrf_from(page)}
    return client.post("/admin/login", data=data)


def status(app: Flask, address: str, email: str, password: str) -> int:
    return sign_in_from(app, address, email, password).status_code


def test_a_few_wrong_passwords_do_not_block_the_right_one(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("org@example.org", "organizer")
    fails = [status(app, "192.0.2.1", "org@example.org", "wrong") for _ in range(6)]
    assert fails == [401] * 6
    assert status(app, "192.0.2.1", "org@example.org", PASSWORD) == 303


def test_wrong_passwords_lock_the_account_from_every_address_for_a_while(
    app: Flask, make_user
) -> None:  # type: ignore[no-untyped-def]
    make_user("org@example.org", "organizer")
    make_user("colleague@example.org", "organizer")
    allowed = smallest(SIGN_IN_ACCOUNT_LIMIT)
    fails = [status(app, f"192.0.2.{n}", "ORG@example.org ", "wrong") for n in range(allowed)]
    assert fails == [401] * allowed
    locked = sign_in_from(app, "198.51.100.9", "org@example.org", PASSWORD)
    assert locked.status_code == 429  # the right password, from an address never seen
    assert "Te veel pogingen" in locked.get_data(as_text=True)
    # The lock ends by itself: the reply says when, within the window.
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    # Colleagues sign in as usual, from the same addresses too.
    assert status(app, "192.0.2.0", "colleague@example.org", PASSWORD) == 303


def test_a_sign_in_refused_by_a_lock_is_in_the_audit_log(
    app: Flask, make_user, db: Session
) -> None:  # type: ignore[no-untyped-def]
    make_user("org@example.org", "organizer")
    allowed = smallest(SIGN_IN_ACCOUNT_LIMIT)
    for n in range(allowed):
        assert status(app, f"192.0.2.{n}", "org@example.org", "wrong") == 401
    assert status(app, "198.51.100.9", "Org@example.org", PASSWORD) == 429
    db.expire_all()
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None
    assert (last.actor, last.action, last.result, last.detail) == (
        "org@example.org",
        "sign in",
        "refused",
        "account locked",
    )


def test_one_address_guessing_many_accounts_is_stopped(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("org@example.org", "organizer")
    allowed = smallest(SIGN_IN_ADDRESS_LIMIT)
    fails = [status(app, "192.0.2.1", f"user{n}@example.org", "wrong") for n in range(allowed)]
    assert fails == [401] * allowed
    assert status(app, "192.0.2.1", "org@example.org", PASSWORD) == 429
    assert status(app, "192.0.2.2", "org@example.org", PASSWORD) == 303


# --- whose address ---------------------------------------------------------------------------


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(
    engine: Engine, storage: str | None
) -> None:
    # The proxy's address is the connection's; the client is in X-Forwarded-For.
    def clients(app: Flask, forwarded: str) -> FlaskClient:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "10.0.0.1"
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded
        return client

    allowed = smallest(SIGN_IN_ADDRESS_LIMIT)
    for trusted, expected in ((0, 429), (1, 401)):
        for app in build_app(engine, storage, trusted_proxies=trusted):
            statuses = []
            for n in range(allowed + 1):
                client = clients(app, f"203.0.113.{n}")
                page = client.get("/admin/login").get_data(as_text=True)
                data = {"email": f"u{n}@example.org", "password": "x", "csrf_token": ""}
                data["csrf_token"] = csrf_from(page)
                statuses.append(client.post("/admin/login", data=data).status_code)
            # Untrusted, every visitor is the proxy; trusted, each is counted for itself.
            assert statuses[-1] == expected


def test_trusted_proxies_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert Config.from_environment(str(tmp_path)).trusted_proxies == 0
    monkeypatch.setenv("CONSULT_TRUSTED_PROXIES", "2")
    assert Config.from_environment(str(tmp_path)).trusted_proxies == 2
    monkeypatch.setenv("CONSULT_TRUSTED_PROXIES", "yes")
    with pytest.raises(ValueError, match="CONSULT_TRUSTED_PROXIES"):
        Config.from_environment(str(tmp_path))


# --- what is kept -------------------------------------------------------------------------


@pytest.mark.parametrize("storage", ["redis"], indirect=True)
def test_redis_keeps_no_address_and_nothing_for_ever(
    app: Flask, storage: str | None, load_set: LoadSet, make_user
) -> None:  # type: ignore[no-untyped-def]
    import redis

    invite_waves(app, load_set, "panel-a")
    address = "203.0.113.77"
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    wrong_codes(client, "panel-a", 3)
    make_user("org@example.org", "organizer")
    sign_in_from(app, address, "org@example.org", "wrong")
    assert storage is not None
    store = redis.Redis.from_url(storage)
    keys = [key.decode() for key in store.keys("*")]
    assert keys
    assert not [key for key in keys if address in key or "org@example.org" in key]
    assert all(0 < store.ttl(key) <= 3600 for key in keys)


def test_without_redis_the_app_says_each_worker_counts_for_itself(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    with caplog.at_level(logging.WARNING):
        create_app(Config(database_url=url, secret_key="k", **CHEAP_ARGON2))
    assert "REDIS_URL is not set" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        create_app(Config(database_url=url, secret_key="k", redis_url=REDIS_URL, **CHEAP_ARGON2))
    assert "REDIS_URL is not set" not in caplog.text


def test_the_starts_per_address_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A school behind one address may need more starts; a typo stops the app, it never drops
    the limit."""
    assert Config.from_environment(str(tmp_path)).start_burst is None
    monkeypatch.setenv("CONSULT_START_BURST", "200 per 10 minutes")
    config = Config.from_environment(str(tmp_path))
    assert config.start_burst == "200 per 10 minutes"
    app = create_app(replace(config, database_url=f"sqlite:///{tmp_path / 'c.sqlite3'}"))
    assert app.config["CONSULT_START_BURST"] == "200 per 10 minutes"
    monkeypatch.setenv("CONSULT_START_LIMIT", "lots")
    with pytest.raises(ValueError, match="CONSULT_START_LIMIT"):
        Config.from_environment(str(tmp_path))
