"""c0a1f3e2d401: the first schema (consultations, versions, waves, responses, answers)."""

from __future__ import annotations

from sqlalchemy import Connection

from tests.consult.migrations.rows import assert_gone, assert_tables, at_c0a1, insert, table_names

TABLES = ("consultation", "question_set_version", "wave", "response", "answer")


class UpgradeTester:
    """Before the first revision there is nothing to keep; after it, every kind of value the
    tables hold must come back exactly as written."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        assert not table_names(self.connection) & set(TABLES)

    def check(self) -> None:
        assert set(TABLES) <= table_names(self.connection)
        insert(self.connection, at_c0a1())
        assert_tables(self.connection, at_c0a1())


class DowngradeTester:
    """Down to an empty database: the five tables are gone."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_c0a1())

    def check(self) -> None:
        assert_gone(self.connection, *TABLES)
