"""weighting cells table, answer counts by cell id, wave counts version

Revision ID: f3d4e5c6a704
Revises: e2c3d4b5f603
Create Date: 2026-11-23 03:00:00.000000

The counts are derived data: this revision drops them and marks every wave as counted by older
rules (counts_version 0), so `consult report` recounts a wave before its next report.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3d4e5c6a704"
down_revision: str | None = "e2c3d4b5f603"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("wave", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("counts_version", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "weighting_cell",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["wave.id"],
            name=op.f("fk_weighting_cell_wave_id_wave"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weighting_cell")),
        sa.UniqueConstraint("wave_id", "key", name=op.f("uq_weighting_cell_wave_id_key")),
    )
    op.drop_table("answer_count")
    _create_answer_count(
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cell_id"],
            ["weighting_cell.id"],
            name=op.f("fk_answer_count_cell_id_weighting_cell"),
            ondelete="CASCADE",
        ),
        key=("wave_id", "code", "cell_id", "value"),
        new=True,
    )


def downgrade() -> None:
    op.drop_table("answer_count")
    _create_answer_count(
        sa.Column("cell", sa.String(length=64), nullable=False),
        key=("wave_id", "code", "cell", "value"),
        new=False,
    )
    op.drop_table("weighting_cell")
    with op.batch_alter_table("wave", schema=None) as batch_op:
        batch_op.drop_column("counts_version")


def _create_answer_count(
    *cell: sa.Column[int] | sa.Column[str] | sa.ForeignKeyConstraint,
    key: tuple[str, ...],
    new: bool,
) -> None:
    """answer_count with the given cell column (empty: its counts are rebuilt). The new one
    holds sums as well as counts (64-bit n) and is stored in key order on SQLite."""
    op.create_table(
        "answer_count",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        *cell,
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("n", sa.BigInteger() if new else sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["wave.id"], name=op.f("fk_answer_count_wave_id_wave"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(*key, name=op.f("pk_answer_count")),
        sqlite_with_rowid=not new,
    )
    op.execute("UPDATE wave SET counts_version = 0")
