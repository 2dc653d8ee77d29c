"""Flow versions carry their companion files (intents, knowledge base, hours, tests).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 16:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flow_version_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flow_version_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["flow_version_id"], ["flow_versions.id"],
            name=op.f("fk_flow_version_files_flow_version_id_flow_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_version_files")),
        sa.UniqueConstraint("flow_version_id", "filename",
                            name=op.f("uq_flow_version_files_flow_version_id")),
    )
    with op.batch_alter_table("flow_version_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flow_version_files_flow_version_id"),
                              ["flow_version_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("flow_version_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flow_version_files_flow_version_id"))
    op.drop_table("flow_version_files")
