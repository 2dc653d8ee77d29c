"""Calls keep the caller's answer to the satisfaction question (scale, score, masked comment).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 17:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("satisfaction_scale", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("satisfaction_score", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("satisfaction_comment", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_column("satisfaction_comment")
        batch_op.drop_column("satisfaction_score")
        batch_op.drop_column("satisfaction_scale")
