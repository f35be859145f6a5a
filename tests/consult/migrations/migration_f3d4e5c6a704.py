"""f3d4e5c6a704: weighting cells, answer counts by cell id, wave.counts_version.

The counts are derived data: both directions drop them and leave every wave marked as counted
by older rules (counts_version 0), so the next report recounts. Everything else must survive.
"""

from __future__ import annotations

from sqlalchemy import Connection

from tests.consult.migrations.rows import (
    assert_gone,
    assert_tables,
    at_e2c3,
    at_f3d4,
    column_names,
    insert,
    read,
    with_column,
)


class UpgradeTester:
    """Every row but the old counts survives; every wave is due a recount; the new tables take
    cells and 64-bit counts."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_e2c3())

    def check(self) -> None:
        expected = at_e2c3()
        del expected["answer_count"]
        expected["wave"] = with_column(expected["wave"], "counts_version", [0, 0, 0])
        assert_tables(self.connection, expected)
        assert "cell_id" in column_names(self.connection, "answer_count")
        assert read(self.connection, "answer_count") == []
        assert read(self.connection, "weighting_cell") == []
        new = at_f3d4()
        counts = {table: new[table] for table in ("weighting_cell", "answer_count")}
        insert(self.connection, counts)
        assert_tables(self.connection, counts)


class DowngradeTester:
    """Every row but the counts survives without counts_version; weighting cells are gone and
    the count table is back in its text-keyed form, empty."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_f3d4())

    def check(self) -> None:
        assert_gone(self.connection, "weighting_cell")
        assert "counts_version" not in column_names(self.connection, "wave")
        assert {"cell", "n"} <= column_names(self.connection, "answer_count")
        assert read(self.connection, "answer_count") == []
        expected = at_e2c3()
        del expected["answer_count"]
        assert_tables(self.connection, expected)
