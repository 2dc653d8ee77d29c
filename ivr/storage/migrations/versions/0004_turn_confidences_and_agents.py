"""Turns keep the understander's confidence apart from the recogniser's, and an agent may
speak in a call (an agent answering a web chat handed over to them).

`turns.confidence` is the recogniser's (ASR) confidence; the new `turns.intent_confidence` is
the understander's (NLU). The web chat had stored its NLU confidence in `confidence` (typed
text has no ASR confidence): those values move to `intent_confidence`.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 18:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "speaker IN ('caller', 'assistant')"
NEW = "speaker IN ('caller', 'assistant', 'agent')"


def upgrade() -> None:
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("intent_confidence", sa.Float(), nullable=True))
        batch_op.drop_constraint(op.f("ck_turns_speaker"), type_="check")
        batch_op.create_check_constraint(op.f("ck_turns_speaker"), NEW)
    op.execute("UPDATE turns SET intent_confidence = confidence, confidence = NULL "
               "WHERE call_id LIKE 'web-%' AND speaker = 'caller'")


def downgrade() -> None:
    op.execute("DELETE FROM turns WHERE speaker = 'agent'")
    op.execute("UPDATE turns SET confidence = intent_confidence "
               "WHERE call_id LIKE 'web-%' AND speaker = 'caller'")
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_turns_speaker"), type_="check")
        batch_op.create_check_constraint(op.f("ck_turns_speaker"), OLD)
        batch_op.drop_column("intent_confidence")
