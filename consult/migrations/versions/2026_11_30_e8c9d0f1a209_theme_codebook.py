"""theme codebook and suggestions

Revision ID: e8c9d0f1a209
Revises: d7b8c9e0f108
Create Date: 2026-11-30 17:30:00.000000

A codebook of themes per consultation (code, Dutch and English name, keywords) that open answers
are matched to, and the suggested themes from clusters of unmatched answers. Both tables are new;
going down drops them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e8c9d0f1a209"
down_revision: str | None = "d7b8c9e0f108"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_nl", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_theme_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme")),
        sa.UniqueConstraint("consultation_id", "code", name=op.f("uq_theme_consultation_id_code")),
    )
    op.create_index(op.f("ix_theme_consultation_id"), "theme", ["consultation_id"], unique=False)
    op.create_table(
        "theme_suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "accepted",
                "rejected",
                name="suggestion_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_theme_suggestion_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["wave.id"],
            name=op.f("fk_theme_suggestion_wave_id_wave"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_suggestion")),
    )
    op.create_index(
        op.f("ix_theme_suggestion_consultation_id"),
        "theme_suggestion",
        ["consultation_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_theme_suggestion_consultation_id"), table_name="theme_suggestion")
    op.drop_table("theme_suggestion")
    op.drop_index(op.f("ix_theme_consultation_id"), table_name="theme")
    op.drop_table("theme")
