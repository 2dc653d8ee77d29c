"""Live call events too large for a PostgreSQL NOTIFY (8000 bytes) travel between workers by
reference: the event is stored here and the notification names its row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ivr.storage.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_payloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", ivr.storage.types.UTCDateTime(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_payloads")),
    )
    with op.batch_alter_table("live_payloads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_payloads_created_at"), ["created_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("live_payloads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_payloads_created_at"))
    op.drop_table("live_payloads")
