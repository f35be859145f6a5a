"""Shared test set-up: real databases, skipped locally when missing but required under CI=true."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, reason: str) -> None:
    """Skip a test whose server or tool is missing; under CI a missing part is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)
