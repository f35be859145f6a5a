"""Progress of long commands, on standard error: a bar with its rate and the time left on a
terminal, one line per stage when the output goes to a file or a pipe (logs, cron), nothing with
--quiet. Standard output keeps only the command's result."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO, TypeVar

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import (
    Progress as Bar,
)
from rich.text import Text

from consult.extensions import db
from consult.progress import SILENT, Progress

F = TypeVar("F", bound=Callable[..., Any])


def quiet_option(command: F) -> F:
    """`--quiet`: no progress, only the result (and errors)."""
    return click.option("--quiet", "-q", is_flag=True, help="Show no progress.")(command)


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        unit = task.fields.get("unit", "rows")
        return Text(f"{speed:,.0f} {unit}/s" if speed else "", style="progress.data.speed")


class _TerminalProgress:
    """A rich progress bar per stage (a spinner-like bar when the total is unknown)."""

    def __init__(self, stream: TextIO) -> None:
        self.bar = Bar(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _Rate(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=Console(file=stream),
            transient=False,
        )
        self.task: TaskID | None = None

    def start(self, stage: str, total: int | None, unit: str) -> None:
        self.task = self.bar.add_task(stage, total=total, unit=unit)

    def advance(self, done: int) -> None:
        if self.task is not None:
            self.bar.advance(self.task, done)

    def finish(self) -> None:
        if self.task is not None:
            task = self.bar.tasks[self.task]
            self.bar.update(self.task, total=task.completed)
            self.bar.stop_task(self.task)
            self.task = None


class _LineProgress:
    """One line when each stage is done: what, how many, how long, how fast."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.stage = ""
        self.unit = "rows"
        self.done = 0
        self.began = 0.0

    def start(self, stage: str, total: int | None, unit: str) -> None:
        self.stage, self.unit, self.done, self.began = stage, unit, 0, time.perf_counter()

    def advance(self, done: int) -> None:
        self.done += done

    def finish(self) -> None:
        seconds = time.perf_counter() - self.began
        line = f"{self.stage}: done in {seconds:.1f} s"
        if self.done:
            rate = self.done / seconds if seconds > 0 else 0.0
            line = f"{self.stage}: {self.done:,} {self.unit} in {seconds:.1f} s ({rate:,.0f}/s)"
        print(line, file=self.stream, flush=True)


@contextmanager
def progress_for(quiet: bool, stream: TextIO | None = None) -> Iterator[Progress]:
    """The progress a command shows: none when quiet, a bar on a terminal, lines otherwise."""
    stream = stream or sys.stderr
    if quiet:
        yield SILENT
    elif stream.isatty():
        shown = _TerminalProgress(stream)
        with shown.bar:
            yield shown
    else:
        yield _LineProgress(stream)


INTERRUPTED = 130
"""The exit status of a command stopped by Ctrl-C (128 + SIGINT), as shells report it."""


@contextmanager
def interrupted_cleanly(outcome: str) -> Iterator[None]:
    """Ctrl-C: roll the command's transaction back, say so (`outcome`: what that means for the
    user) and exit with status 130, instead of a traceback."""
    try:
        yield
    except KeyboardInterrupt:
        try:
            db.session.rollback()
        finally:
            click.echo(f"Interrupted: {outcome}.", err=True)
            sys.exit(INTERRUPTED)
