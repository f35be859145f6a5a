"""`/healthz` and `/readyz`: what a load balancer asks before it sends citizens to an instance."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import Engine

from consult import create_app
from consult.config import Config
from consult.db import make_engine
from consult.migrate import downgrade_engine, upgrade_engine
from tests.conftest import CHEAP_ARGON2, require
from tests.consult.test_rate_limits_redis import REDIS_URL, redis_available

CLOSED_PORT = 5149  # one of this project's ports on which nothing listens


def test_healthz_answers_without_touching_anything(client) -> None:  # type: ignore[no-untyped-def]
    reply = client.get("/healthz")
    assert reply.status_code == 200
    assert reply.get_json() == {"status": "ok"}
    assert reply.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_on_a_database_at_head(client) -> None:  # type: ignore[no-untyped-def]
    reply = client.get("/readyz")
    assert reply.status_code == 200, reply.get_data(as_text=True)
    body = reply.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"] == "ok"
    # Without REDIS_URL it is ready, but says that the limits are kept per worker.
    assert "REDIS_URL" in body["checks"]["rate_limit_store"]


def _app(url: str, redis_url: str | None = None) -> Flask:
    return create_app(
        Config(database_url=url, secret_key="k", redis_url=redis_url, testing=True, **CHEAP_ARGON2)
    )


def test_readyz_fails_when_the_database_is_unreachable_and_says_no_more() -> None:
    url = f"postgresql+psycopg://consult:secret-password@127.0.0.1:{CLOSED_PORT}/consult"
    reply = _app(url).test_client().get("/readyz")
    assert reply.status_code == 503
    body = reply.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "unreachable"
    page = reply.get_data(as_text=True)
    for secret in ("secret-password", str(CLOSED_PORT), "127.0.0.1", "psycopg", "refused"):
        assert secret not in page
    # The process itself is fine: the balancer must not restart it for the database's sake.
    assert _app(url).test_client().get("/healthz").status_code == 200


def test_readyz_fails_while_migrations_are_behind(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    upgrade_engine(engine)
    app = _app(url)
    assert app.test_client().get("/readyz").status_code == 200
    downgrade_engine(engine, "-1")
    reply = app.test_client().get("/readyz")
    assert reply.status_code == 503
    assert reply.get_json()["checks"]["migrations"] == "behind"
    upgrade_engine(engine)
    assert app.test_client().get("/readyz").status_code == 200
    engine.dispose()


def test_readyz_fails_when_the_configured_redis_is_unreachable(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    reply = _app(url, f"redis://127.0.0.1:{CLOSED_PORT}/0").test_client().get("/readyz")
    assert reply.status_code == 503
    assert reply.get_json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "rate_limit_store": "unreachable",
    }


def test_readyz_is_ready_with_a_reachable_redis(engine: Engine) -> None:
    require(redis_available(), f"Redis is not reachable at {REDIS_URL}")
    url = engine.url.render_as_string(hide_password=False)
    reply = _app(url, REDIS_URL).test_client().get("/readyz")
    assert reply.status_code == 200
    assert reply.get_json()["checks"]["rate_limit_store"] == "ok"
