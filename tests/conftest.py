"""Shared test set-up: real databases, skipped locally when missing but required under CI=true."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parents[1]
# Files from other tools' test suites, kept beside the repository (../shared/interop);
# CONSULT_INTEROP points elsewhere (and lets a test run check what happens when they are missing).
# argon2 at its cheapest (the library's minimum memory): hashing for the tests' sign-ins takes
# milliseconds, not the production cost's ~50 ms each. Every Config(...) in the tests uses it.
CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}
INTEROP = Path(os.environ.get("CONSULT_INTEROP") or ROOT.parent / "shared" / "interop")
# Under pytest-xdist ("gw0", "gw1", ...) each worker process gets a database and a Redis
# database of its own, since the tests empty theirs; "" when the tests run in one process.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def per_worker_database(url: str) -> str:
    """The test PostgreSQL URL of this worker: the given database, suffixed with the worker's
    name under pytest-xdist (created beside it by `postgresql_engine`)."""
    if not WORKER:
        return url
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(False)


def per_worker_redis(url: str) -> str:
    """The test Redis URL of this worker: database 15 for the first (or only) process, 14 for
    the next, and so on down, since each test empties its Redis database."""
    if not WORKER:
        return url
    from redis.connection import parse_url

    number = int(parse_url(url).get("db", 0)) - int(WORKER.removeprefix("gw"))
    assert number >= 0, f"too many test workers for Redis databases below {url}"
    base, _, _ = url.rpartition("/")
    return f"{base}/{number}"


def require(available: bool, reason: str) -> None:
    """Skip a test whose server or tool is missing; under CI a missing part is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


def interop(*parts: str) -> Path:
    """A folder or file of ../shared/interop: skipped locally when the folder is not checked
    out, a failure under CI=true (where a missing folder would otherwise pass silently)."""
    require(
        INTEROP.is_dir(),
        f"the interop files are not at {INTEROP} (check out ../shared or set CONSULT_INTEROP)",
    )
    path = INTEROP.joinpath(*parts)
    assert path.exists(), f"{path} is missing from the interop files"
    return path


@pytest.fixture(scope="session", autouse=True)
def _close_engines() -> Iterator[None]:
    """Close the pooled connections of every app the tests built, so none leaks at exit."""
    yield
    from consult.db import Database

    for engine in Database._engines.values():
        engine.dispose()


SHIPPED = ROOT / "surveys" / "definitions" / "biotech-2026.yaml"


def next_wave_set(folder: Path) -> Path:
    """The shipped set as next year's wave biotech-2027, in which two questions changed their
    meaning (so `surveys.diff` calls them not comparable): the battery row COND_CRISPR_CHOICE
    now stands for the condition affordability, and KNOW_BIO's option 4 has a new label."""
    text = SHIPPED.read_text(encoding="utf-8")
    edits = {
        "wave: biotech-2026": "wave: biotech-2027",
        'version: "2026.1"': 'version: "2027.1"',
        "- code: COND_CRISPR_CHOICE\n                condition: freedom_of_choice": (
            "- code: COND_CRISPR_CHOICE\n                condition: affordability"
        ),
        "{code: 4, label: {nl: Veel, en: A lot}}": (
            "{code: 4, label: {nl: Heel veel, en: A great deal}}"
        ),
    }
    for old, new in edits.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = folder / "biotech-2027.yaml"
    path.write_text(text, encoding="utf-8")
    return path
