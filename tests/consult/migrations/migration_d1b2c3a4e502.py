"""d1b2c3a4e502: accounts, organizers, invitations, the audit log, response.duration_minutes
and wave.margins."""

from __future__ import annotations

from sqlalchemy import Connection

from tests.consult.migrations.rows import (
    AT_D1B2_NEW_TABLES,
    assert_gone,
    assert_tables,
    at_c0a1,
    at_d1b2,
    column_names,
    insert,
    read,
    with_column,
)


class UpgradeTester:
    """The consultation data survives; the added columns are NULL; the new tables start empty
    and keep what is written to them."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_c0a1())

    def check(self) -> None:
        expected = at_c0a1()
        expected["wave"] = with_column(expected["wave"], "margins", [None] * 3)
        expected["response"] = with_column(expected["response"], "duration_minutes", [None] * 3)
        assert_tables(self.connection, expected)
        for table in AT_D1B2_NEW_TABLES:
            assert read(self.connection, table) == [], table
        new = {table: at_d1b2()[table] for table in AT_D1B2_NEW_TABLES}
        insert(self.connection, new)
        assert_tables(self.connection, new)


class DowngradeTester:
    """The consultation data survives without the two added columns; the new tables are gone."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_d1b2())

    def check(self) -> None:
        assert_gone(self.connection, *AT_D1B2_NEW_TABLES)
        assert "margins" not in column_names(self.connection, "wave")
        assert "duration_minutes" not in column_names(self.connection, "response")
        assert_tables(self.connection, at_c0a1())
