"""Bulk work at national size (#17): an import that streams stays all or nothing, its memory
stays bounded, Ctrl-C leaves the database as it was, and long commands show their progress
(a bar on a terminal, a line per stage otherwise, nothing with --quiet)."""

from __future__ import annotations

import os
import pty
import select as selecting
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from consult.counting import queries as counting_queries
from consult.models import Answer, Response, Wave
from tests.consult.conftest import MINI, ROOT
from tests.consult.test_importing import GOOD, HEADER

CONSULT = str(ROOT / ".venv" / "bin" / "consult")
ROWS = GOOD.splitlines()[1:]


def write_rows(path: Path, n: int, bad_at: int | None = None) -> Path:
    """A CSV of the mini set with n valid rows (the three of `GOOD` over and over), the row
    numbered `bad_at` (counting the header as row 1) with an option that does not exist."""
    with path.open("w", encoding="utf-8") as file:
        file.write(HEADER)
        for number in range(2, n + 2):
            file.write("7" + ROWS[number % 3][1:] if number == bad_at else ROWS[number % 3])
            file.write("\n")
    return path


def snapshot(db: Session, wave: Wave) -> tuple[int, int, list[tuple[str, str, float, int]]]:
    """What an import changes: responses, answers, and the wave's counts."""
    db.expire_all()
    return (
        db.scalar(select(func.count(Response.id))) or 0,
        db.scalar(select(func.count(Answer.id))) or 0,
        sorted(counting_queries.answer_counts(db, wave)),
    )


def invoke(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def test_a_bad_row_after_several_stored_chunks_leaves_the_database_unchanged(
    app: Flask, db: Session, load_set: Callable[..., str], tmp_path: Path
) -> None:
    """The first chunks are stored before the bad row is read: the whole import still rolls
    back, and the error names the row."""
    slug = load_set(MINI)
    assert invoke(app, "responses", "import", str(write_rows(tmp_path / "a.csv", 4)),
                  "--wave", slug)[0] == 0  # fmt: skip
    wave = db.scalar(select(Wave).where(Wave.slug == slug))
    assert wave is not None
    before = snapshot(db, wave)
    big = write_rows(tmp_path / "big.csv", 12_000, bad_at=11_000)
    code, output = invoke(app, "responses", "import", str(big), "--wave", slug)
    assert code == 1
    assert "row 11000, column KNOW: '7'" in output
    assert "1 problem(s) found; nothing was imported." in output
    assert snapshot(db, wave) == before


def test_problems_beyond_the_limit_are_counted(
    app: Flask, load_set: Callable[..., str], tmp_path: Path
) -> None:
    slug = load_set(MINI)
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "7,34,,,,,,,,,1\n" * 5)
    code, output = invoke(
        app, "responses", "import", str(path), "--wave", slug, "--max-problems", "2"
    )
    assert code == 1
    assert "row 3, column KNOW" in output and "row 4, column KNOW" not in output
    assert "and 3 more problem(s) not listed" in output
    assert "5 problem(s) found; nothing was imported." in output


def test_progress_is_a_line_per_stage_off_a_terminal_and_nothing_when_quiet(
    app: Flask, load_set: Callable[..., str], tmp_path: Path
) -> None:
    slug = load_set(MINI)
    path = write_rows(tmp_path / "rows.csv", 1500)
    code, output = invoke(app, "responses", "import", str(path), "--wave", slug)
    assert code == 0, output
    assert "import: 1,500 rows in " in output and "rows/s" not in output
    assert output.count("\n") == 4  # the rows counted, imported, their counts; the result
    code, output = invoke(app, "responses", "import", str(path), "--wave", slug, "--quiet")
    assert code == 0
    assert output == f"Imported 1500 complete responses into {slug}.\n"
    code, output = invoke(app, "waves", "recount", slug)
    assert code == 0
    assert f"recount {slug}: 3,000 responses in " in output
    code, output = invoke(app, "responses", "simulate", "--wave", slug, "-n", "50", "-q")
    assert output == f"Simulated 50 complete responses in {slug} (seed 1).\n"


# ------------------------------------------------------------------- in a process of its own


@pytest.fixture
def own_database(engine: Engine, tmp_path: Path) -> Iterator[str]:
    """A database of its own for commands run as processes (the tests' own database is one
    transaction they cannot see): a SQLite file, or a PostgreSQL schema; with the mini set."""
    if engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path / 'own.sqlite3'}"
        schema = None
    else:
        schema = f"bulk_{uuid.uuid4().hex[:8]}"
        with engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        base = engine.url.render_as_string(hide_password=False)
        url = f"{base}?options=-csearch_path%3D{schema}"
    for args in (["db", "upgrade"], ["surveys", "load", str(MINI), "--open"]):
        subprocess.run([CONSULT, *args], env=environment(url), check=True, capture_output=True)
    yield url
    if schema is not None:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def environment(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "test-secret"}


def stored(url: str) -> tuple[int, int, int, int]:
    """Responses, answers, count rows and their total, as another process sees them."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return tuple(  # type: ignore[return-value]
                connection.execute(text(query)).scalar() or 0
                for query in (
                    "SELECT count(*) FROM response",
                    "SELECT count(*) FROM answer",
                    "SELECT count(*) FROM answer_count",
                    "SELECT sum(n) FROM answer_count",
                )
            )
    finally:
        engine.dispose()


def peak_resident_mb(process: subprocess.Popen[bytes]) -> float:
    """The process's own peak resident memory (VmHWM), read while it runs. Not its rusage: Linux
    carries the parent's peak over fork and exec into ru_maxrss, so a child of a test worker
    that has grown would report the worker's size."""
    peak_kb = 0
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            lines = status.read_text().splitlines()
        except OSError:
            break
        for line in lines:
            if line.startswith("VmHWM:"):
                peak_kb = max(peak_kb, int(line.split()[1]))
        time.sleep(0.02)
    return peak_kb / 1024


def test_an_import_of_200000_rows_keeps_its_memory_bounded(
    own_database: str, tmp_path: Path
) -> None:
    """Held at once, 200,000 rows took well over a gigabyte; streamed, the process stays near
    what the app itself takes (about 200 MB). Two columns a row keep the test quick."""
    path = tmp_path / "large.csv"
    with path.open("w", encoding="utf-8") as file:
        file.write("KNOW,SEX\n")
        file.writelines(f"{1 + i % 2},{(1, 2, 99)[i % 3]}\n" for i in range(200_000))
    process = subprocess.Popen(
        [CONSULT, "responses", "import", str(path), "--wave", "mini-2026", "--quiet"],
        env=environment(own_database),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    peak_mb = peak_resident_mb(process)
    output = process.communicate()[0].decode()
    assert process.returncode == 0, output
    assert "Imported 200000 complete responses" in output
    assert 0 < peak_mb < 450, f"peak resident memory {peak_mb:.0f} MB"


def test_ctrl_c_in_the_middle_of_an_import_leaves_the_database_as_it_was(
    own_database: str, tmp_path: Path
) -> None:
    env = environment(own_database)
    small = write_rows(tmp_path / "small.csv", 10)
    subprocess.run(
        [CONSULT, "responses", "import", str(small), "--wave", "mini-2026"],
        env=env,
        check=True,
        capture_output=True,
    )
    before = stored(own_database)
    big = write_rows(tmp_path / "big.csv", 150_000)
    process = subprocess.Popen(
        [CONSULT, "responses", "import", str(big), "--wave", "mini-2026"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    # The first stage (the rows counted) is done: the import itself is under way.
    line = process.stderr.readline()
    while line and not line.startswith("count rows:"):
        line = process.stderr.readline()
    assert line.startswith("count rows: 150,000 rows")
    wait_for_writes(own_database)
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 130, errors
    assert "Interrupted: nothing was imported." in errors
    assert stored(own_database) == before


def wait_for_writes(url: str) -> None:
    """Until the import has written something (uncommitted): the SQLite file's write-ahead log
    grows, or a PostgreSQL session is busy in a transaction (at most 20 s)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if url.startswith("sqlite"):
            log = Path(url.removeprefix("sqlite:///") + "-wal")
            if log.exists() and log.stat().st_size > 1_000_000:
                return
        else:
            engine = create_engine(url)
            try:
                with engine.connect() as connection:
                    busy = connection.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                            "current_database() AND pid <> pg_backend_pid() AND "
                            "xact_start IS NOT NULL AND query ILIKE '%COPY%'"
                        )
                    ).scalar()
            finally:
                engine.dispose()
            if busy:
                return
        time.sleep(0.05)


def test_a_terminal_shows_a_bar_with_its_rate_and_the_time_left(
    own_database: str, tmp_path: Path
) -> None:
    path = write_rows(tmp_path / "rows.csv", 3000)
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [CONSULT, "responses", "import", str(path), "--wave", "mini-2026"],
        env={**environment(own_database), "TERM": "xterm", "COLUMNS": "120"},
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = selecting.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=60)
    os.close(leader)
    screen = shown.decode("utf-8", "replace")
    assert process.returncode == 0, screen
    assert "\x1b[" in screen  # drawn and redrawn in place, not printed line by line
    assert "import" in screen and "3000/3000" in screen
    assert "rows/s" in screen and "left" in screen
