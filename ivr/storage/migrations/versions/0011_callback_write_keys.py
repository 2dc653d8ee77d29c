"""A callback request may carry its writer's key, unique: the call tries a failed request
again while the caller waits, and a request whose COMMIT went through while its answer was
lost must not be stored a second time. Requests already stored keep no key (NULLs never
collide).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 16:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callback_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("write_key", sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_callback_requests_write_key"),
                                          ["write_key"])


def downgrade() -> None:
    with op.batch_alter_table("callback_requests", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_callback_requests_write_key"), type_="unique")
        batch_op.drop_column("write_key")
