"""d7b8c9e0f108: a session version on each staff account.

Up, every row stays and every account starts at session version 1; down, the column goes and
every other value stays.
"""

from __future__ import annotations

from sqlalchemy import Connection

from tests.consult.migrations.migration_c6a7b8d9e007 import at_c6a7
from tests.consult.migrations.rows import Tables, assert_tables, column_names, insert, with_column


def at_d7b8() -> Tables:
    """The accounts of before, one of them signed out twice since (version 3)."""
    tables = at_c6a7()
    accounts = tables["user_account"]
    versions = [1] * len(accounts)
    versions[-1] = 3
    tables["user_account"] = with_column(accounts, "session_version", versions)
    return tables


class UpgradeTester:
    """Every row survives; every account has session version 1."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_c6a7())

    def check(self) -> None:
        expected = at_c6a7()
        accounts = expected["user_account"]
        expected["user_account"] = with_column(accounts, "session_version", [1] * len(accounts))
        assert_tables(self.connection, expected)


class DowngradeTester:
    """The column goes; every account and every other row survives."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_d7b8())

    def check(self) -> None:
        assert "session_version" not in column_names(self.connection, "user_account")
        assert_tables(self.connection, at_c6a7())
