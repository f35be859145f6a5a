"""The restore drill: a backup taken while citizens answer, restored into a clean database,
holds exactly one moment of the live database: every table's rows and every response's answers."""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, inspect, select, table, text

from consult.db import make_engine
from consult.migrate import upgrade_engine
from consult.models import Answer, Response
from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI
from tests.consult.scratch import committing_app, load_committed, scratch_postgres

Fingerprint = tuple[tuple[tuple[str, int], ...], tuple[tuple[str, str, str], ...]]


def fingerprint(engine: Engine) -> Fingerprint:
    """Every table's row count, and per response its status and a checksum of its answers."""
    with engine.connect() as connection:
        names = sorted(n for n in inspect(connection).get_table_names())
        counts = tuple(
            (
                name,
                int(connection.execute(select(func.count()).select_from(table(name))).scalar_one()),
            )
            for name in names
        )
        rows = connection.execute(
            select(
                Response.public_id,
                Response.status,
                Answer.code,
                Answer.option,
                Answer.number,
                Answer.text,
            )
            .outerjoin(Answer, Answer.response_id == Response.id)
            .order_by(Response.public_id, Answer.code, Answer.option)
        ).all()
    digests: dict[str, tuple[str, hashlib._Hash]] = {}
    for public_id, status, *answer in rows:
        digest = digests.setdefault(public_id, (str(status), hashlib.sha256()))[1]
        digest.update(repr(answer).encode())
    return counts, tuple(
        (key, status, d.hexdigest()) for key, (status, d) in sorted(digests.items())
    )


@contextlib.contextmanager
def two_databases(kind: str, folder: Path) -> Iterator[tuple[str, str]]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'live.sqlite3'}", f"sqlite:///{folder / 'restored.sqlite3'}"
        return
    with scratch_postgres("drill_live") as live, scratch_postgres("drill_restored") as restored:
        yield live, restored


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_restore_drill_a_backup_under_writes_is_one_exact_moment(kind: str, tmp_path: Path) -> None:
    with two_databases(kind, tmp_path) as (live_url, restored_url):
        engine = make_engine(live_url)
        upgrade_engine(engine)
        app = committing_app(live_url)
        wave = load_committed(app, MINI)
        observer = create_engine(live_url)  # reads each state the writer leaves behind

        states = [fingerprint(observer)]
        enough, stop = threading.Event(), threading.Event()
        errors: list[BaseException] = []

        def citizens_answering() -> None:
            try:
                while not stop.is_set():
                    citizen = Citizen(app.test_client(), wave, MINI)
                    citizen.start()
                    states.append(fingerprint(observer))
                    while citizen.page_id is not None:
                        assert citizen.answer_page_validly().status_code == 200
                        states.append(fingerprint(observer))
                    assert citizen.submit().status_code == 200
                    states.append(fingerprint(observer))
                    if len(states) > 8:
                        enough.set()
            except BaseException as error:  # noqa: BLE001  (reported by the main thread)
                errors.append(error)
                enough.set()

        writer = threading.Thread(target=citizens_answering)
        writer.start()
        try:
            enough.wait(timeout=300)
            backup_file = tmp_path / f"consult.{kind}.backup"
            result = app.test_cli_runner().invoke(args=["backup", "-o", str(backup_file)])
            assert result.exit_code == 0, result.output
            written_at_backup = len(states)
            while len(states) < written_at_backup + 3 and not errors:  # writes go on after it
                stop.wait(0.05)
        finally:
            stop.set()
            writer.join()
        assert not errors, errors

        restored_app = committing_app(restored_url)
        result = restored_app.test_cli_runner().invoke(args=["restore", str(backup_file)])
        assert result.exit_code == 0, result.output
        restored_engine = create_engine(restored_url)
        restored = fingerprint(restored_engine)
        restored_engine.dispose()
        assert restored in states, "the restored database is not a moment the live one was in"
        complete = [r for r in restored[1] if r[1].endswith("complete") or r[1] == "COMPLETE"]
        assert complete, "the backup holds no complete response: the drill proved nothing"
        assert restored != fingerprint(observer), "writes after the backup are not in it"
        # The restored database serves: schema at head, the wave's pages answer.
        client = restored_app.test_client()
        assert client.get("/readyz").status_code == 200
        assert client.get(f"/c/{wave}").status_code == 200

        again = restored_app.test_cli_runner().invoke(args=["restore", str(backup_file)])
        assert again.exit_code != 0 and "not empty" in again.output
        observer.dispose()
        engine.dispose()


def test_restore_refuses_a_file_of_the_other_kind(tmp_path: Path) -> None:
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    app = committing_app(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    result = app.test_cli_runner().invoke(args=["restore", str(not_a_backup)])
    assert result.exit_code != 0 and "not an SQLite backup" in result.output
    with app.app_context():
        from consult.extensions import db

        assert db.session.execute(text("SELECT count(*) FROM sqlite_master")).scalar() == 0


def test_a_backup_name_can_carry_the_time(tmp_path: Path) -> None:
    """For a timer: `-o consult-%Y%m%d.dump` names each backup by its UTC time."""
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    upgrade_engine(make_engine(url))
    result = (
        committing_app(url)
        .test_cli_runner()
        .invoke(args=["backup", "-o", str(tmp_path / "consult-%Y.backup")])
    )
    assert result.exit_code == 0, result.output
    (made,) = tmp_path.glob("consult-2*.backup")
    assert made.read_bytes().startswith(b"SQLite format 3")
