"""a4e5f6d7c805: wave.counts_version -> wave.counts_fingerprint (of the counting plan).

Both directions keep every row, counts included (they stay valid; only the marker of the rule
they follow changes). Up, every wave gets no fingerprint (NULL, which no plan has), so the next
report recounts it; down, every wave gets counts_version 0 for the same reason.
"""

from __future__ import annotations

from sqlalchemy import Connection

from tests.consult.migrations.rows import (
    Tables,
    assert_tables,
    at_f3d4,
    column_names,
    insert,
    with_column,
    without_column,
)

FINGERPRINTS = ["ab" * 32, None, "0123456789abcdef" * 4]


def at_a4e5() -> Tables:
    """The wave's counts_version replaced by the fingerprint of its counting plan (or none)."""
    tables = at_f3d4()
    waves = without_column(tables["wave"], "counts_version")
    tables["wave"] = with_column(waves, "counts_fingerprint", FINGERPRINTS)
    return tables


class UpgradeTester:
    """Every row survives, the counts too; every wave is due a recount (no fingerprint)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_f3d4())

    def check(self) -> None:
        expected = at_f3d4()
        waves = without_column(expected["wave"], "counts_version")
        expected["wave"] = with_column(waves, "counts_fingerprint", [None, None, None])
        assert_tables(self.connection, expected)
        assert "counts_version" not in column_names(self.connection, "wave")


class DowngradeTester:
    """Every row survives, the counts too, without the fingerprint; every wave is marked as
    counted by older rules (counts_version 0)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_a4e5())

    def check(self) -> None:
        expected = at_f3d4()
        expected["wave"] = with_column(
            without_column(expected["wave"], "counts_version"), "counts_version", [0, 0, 0]
        )
        assert_tables(self.connection, expected)
        assert "counts_fingerprint" not in column_names(self.connection, "wave")
