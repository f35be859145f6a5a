"""wave counts version: which counting rules a wave's answer counts follow

Revision ID: f3d4e5c6a704
Revises: e2c3d4b5f603
Create Date: 2026-11-23 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3d4e5c6a704"
down_revision: str | None = "e2c3d4b5f603"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing waves get 0: their counts lack the summary's profiles and are rebuilt before
    # their next report.
    with op.batch_alter_table("wave", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("counts_version", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("wave", schema=None) as batch_op:
        batch_op.drop_column("counts_version")
