"""Scratch databases of their own (for tests that commit for real) and a TCP relay that can be
cut, to take a database away from an app without stopping the machine's PostgreSQL."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from consult import create_app
from consult.config import Config
from consult.extensions import db
from consult.organizing.question_sets import load_into_store
from surveys.loader import load_file
from tests.conftest import CHEAP_ARGON2, require
from tests.consult.conftest import POSTGRES_URL


@contextlib.contextmanager
def scratch_postgres(suffix: str) -> Iterator[str]:
    """An empty PostgreSQL database beside the test database (`<test db>_<suffix>`), dropped
    afterwards; yields its URL."""
    base = make_url(POSTGRES_URL)
    name = f"{base.database}_{suffix}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        require(False, f"PostgreSQL is not reachable at {POSTGRES_URL}: {error.orig}")
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        from consult.db import Database

        for url, engine in list(Database._engines.items()):
            if make_url(url).database == name:
                engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def committing_app(url: str, redis_url: str | None = None) -> Flask:
    return create_app(
        Config(database_url=url, secret_key="k", redis_url=redis_url, testing=True, **CHEAP_ARGON2)
    )


def load_committed(app: Flask, path: Path) -> str:
    """Load a question set and open its wave, committed; returns the wave's slug."""
    with app.app_context():
        result = load_into_store(db.session, load_file(path), open_wave=True, today=dt.date.today())
        db.commit()
        return result.wave.slug


class TcpRelay:
    """Forwards 127.0.0.1:`port` to `target`; `cut()` drops the listener and every open
    connection (as a database restart does), `restore()` listens again."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port = port
        self.target = target
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        with self.lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
