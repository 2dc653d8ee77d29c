"""Web chats in progress are kept in the database, so that any worker answers any request of
a conversation (its dialogue state, what it obtained, the agents' replies once handed over).
A row is deleted when its conversation ends or expires, and with its call.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_conversations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("flow", sa.String(length=64), nullable=False),
        sa.Column("flow_version", sa.Integer(), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("done", sa.Text(), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("replies", sa.Text(), nullable=False),
        sa.Column("ended_by", sa.String(length=16), nullable=True),
        sa.Column("last_seen", sa.Float(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["id"], ["calls.id"],
                                name=op.f("fk_chat_conversations_id_calls"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_conversations")),
    )
    with op.batch_alter_table("chat_conversations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_conversations_client_hash"), ["client_hash"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_chat_conversations_last_seen"), ["last_seen"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chat_conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_conversations_last_seen"))
        batch_op.drop_index(batch_op.f("ix_chat_conversations_client_hash"))
    op.drop_table("chat_conversations")
