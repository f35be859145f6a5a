"""wave counts fingerprint instead of a counts version

Revision ID: a4e5f6d7c805
Revises: f3d4e5c6a704
Create Date: 2026-11-30 06:00:00.000000

The counting rule is now a plan built from the question set, and a wave stores the plan's
fingerprint (`counting.plan.CountPlan.fingerprint`) instead of a hand-bumped version. Existing
waves get none (NULL), which differs from every fingerprint, so `consult report` recounts each
of them before its next report. Going down, every wave gets counts_version 0 for the same reason.
The counts themselves are kept either way.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a4e5f6d7c805"
down_revision: str | None = "f3d4e5c6a704"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("wave", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counts_fingerprint", sa.String(length=64), nullable=True))
        batch_op.drop_column("counts_version")


def downgrade() -> None:
    with op.batch_alter_table("wave", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("counts_version", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.drop_column("counts_fingerprint")
