"""e2c3d4b5f603: response.cell, answer counts keyed by the cell's text, an answer index."""

from __future__ import annotations

from sqlalchemy import Connection

from tests.consult.migrations.rows import (
    assert_gone,
    assert_tables,
    at_d1b2,
    at_e2c3,
    column_names,
    index_names,
    insert,
    read,
    with_column,
)


class UpgradeTester:
    """Every row survives, response.cell is NULL (filled when counted), the count table starts
    empty and takes counts."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_d1b2())

    def check(self) -> None:
        expected = at_d1b2()
        expected["response"] = with_column(expected["response"], "cell", [None] * 3)
        assert_tables(self.connection, expected)
        assert "ix_answer_code_response" in index_names(self.connection, "answer")
        assert read(self.connection, "answer_count") == []
        counts = {"answer_count": at_e2c3()["answer_count"]}
        insert(self.connection, counts)
        assert_tables(self.connection, counts)


class DowngradeTester:
    """Every row but the counts survives; the count table and response.cell are gone."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_e2c3())

    def check(self) -> None:
        assert_gone(self.connection, "answer_count")
        assert "cell" not in column_names(self.connection, "response")
        assert "ix_answer_code_response" not in index_names(self.connection, "answer")
        assert_tables(self.connection, at_d1b2())
