"""consultations waves responses answers

Revision ID: c0a1f3e2d401
Revises:
Create Date: 2026-11-22 23:45:26.722962
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0a1f3e2d401"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "consultation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title_nl", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation")),
        sa.UniqueConstraint("slug", name=op.f("uq_consultation_slug")),
    )
    op.create_table(
        "question_set_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_question_set_version_consultation_id_consultation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_set_version")),
        sa.UniqueConstraint(
            "consultation_id",
            "checksum",
            name=op.f("uq_question_set_version_consultation_id_checksum"),
        ),
        sa.UniqueConstraint(
            "consultation_id", "number", name=op.f("uq_question_set_version_consultation_id_number")
        ),
    )
    op.create_table(
        "wave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("question_set_version_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "open", "closed", name="wave_status", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "mode",
            sa.Enum("open", "invite", name="wave_mode", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("opens_on", sa.Date(), nullable=True),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.Column("min_cell_size", sa.Integer(), nullable=False),
        sa.Column("results_published", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_wave_consultation_id_consultation"),
        ),
        sa.ForeignKeyConstraint(
            ["question_set_version_id"],
            ["question_set_version.id"],
            name=op.f("fk_wave_question_set_version_id_question_set_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wave")),
        sa.UniqueConstraint("slug", name=op.f("uq_wave_slug")),
    )
    op.create_table(
        "response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("question_set_version_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "in_progress", "complete", name="response_status", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("resume_token_hash", sa.String(length=64), nullable=False),
        sa.Column("order_seed", sa.Integer(), nullable=False),
        sa.Column("layout", sa.Text(), nullable=False),
        sa.Column("last_page_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["question_set_version_id"],
            ["question_set_version.id"],
            name=op.f("fk_response_question_set_version_id_question_set_version"),
        ),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], name=op.f("fk_response_wave_id_wave")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response")),
        sa.UniqueConstraint("public_id", name=op.f("uq_response_public_id")),
        sa.UniqueConstraint("resume_token_hash", name=op.f("uq_response_resume_token_hash")),
    )
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_response_wave_id"), ["wave_id"], unique=False)

    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("option", sa.Integer(), nullable=True),
        sa.Column("number", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_answer_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
    )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index("ix_answer_response_code", ["response_id", "code"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index("ix_answer_response_code")

    op.drop_table("answer")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_wave_id"))

    op.drop_table("response")
    op.drop_table("wave")
    op.drop_table("question_set_version")
    op.drop_table("consultation")
