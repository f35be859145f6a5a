"""weighting cells and answer counts

Revision ID: e2c3d4b5f603
Revises: d1b2c3a4e502
Create Date: 2026-11-23 00:05:00.386117
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e2c3d4b5f603"
down_revision: str | None = "d1b2c3a4e502"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index("ix_answer_code_response", ["code", "response_id"], unique=False)

    op.create_table(
        "answer_count",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("cell", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["wave.id"], name=op.f("fk_answer_count_wave_id_wave"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("wave_id", "code", "cell", "value", name=op.f("pk_answer_count")),
    )
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cell", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "ix_response_wave_status_cell", ["wave_id", "status", "cell"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index("ix_answer_code_response")

    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_wave_status_cell")
        batch_op.drop_column("cell")

    op.drop_table("answer_count")
