"""A turn may carry its writer's key, unique: the call recorder tries a failed write again,
and a write whose COMMIT went through while its answer was lost must not store the turn a
second time. Turns already stored keep no key (NULLs never collide).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("write_key", sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_turns_write_key"), ["write_key"])


def downgrade() -> None:
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_turns_write_key"), type_="unique")
        batch_op.drop_column("write_key")
