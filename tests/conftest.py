"""Shared test set-up: real databases, skipped locally when missing but required under CI=true."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, reason: str) -> None:
    """Skip a test whose server or tool is missing; under CI a missing part is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _close_engines() -> Iterator[None]:
    """Close the pooled connections of every app the tests built, so none leaks at exit."""
    yield
    from consult.db import Database

    for engine in Database._engines.values():
        engine.dispose()
