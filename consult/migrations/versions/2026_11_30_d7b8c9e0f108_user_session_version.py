"""user session version

Revision ID: d7b8c9e0f108
Revises: c6a7b8d9e007
Create Date: 2026-11-30 18:00:00.000000

Each staff account gets a session version that every signed-in session carries. Signing out or
setting a new password raises it, so every copy of an older session cookie stops working at
once. Existing accounts start at 1 (their sessions from before this revision end: they carry no
version). Going down drops the column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d7b8c9e0f108"
down_revision: str | None = "c6a7b8d9e007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("session_version")
