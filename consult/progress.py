"""Progress of long work (imports, simulations, recounts), told by the services as plain calls.

A service that may take minutes takes a `Progress` and says when a stage starts, how far it got
and when it is done; it never knows where that goes. The command line shows a bar, a line per
stage or nothing (`consult.cli.progress`); everything else passes `SILENT`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Progress(Protocol):
    """Where a long piece of work reports how far it got."""

    def start(self, stage: str, total: int | None, unit: str) -> None:
        """A stage begins: `total` units to do (None: unknown)."""

    def advance(self, done: int) -> None:
        """`done` more units of the current stage are done."""

    def finish(self) -> None:
        """The current stage is done."""


class _Silent:
    def start(self, stage: str, total: int | None, unit: str) -> None:
        pass

    def advance(self, done: int) -> None:
        pass

    def finish(self) -> None:
        pass


SILENT: Progress = _Silent()
"""Progress nobody watches (the web, tests)."""


@contextmanager
def stage(progress: Progress, name: str, total: int | None, unit: str = "rows") -> Iterator[None]:
    """A stage from start to finish; an interrupted stage is not reported as done."""
    progress.start(name, total, unit)
    yield
    progress.finish()
