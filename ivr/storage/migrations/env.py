"""Alembic environment: runs migrations on the engine passed in `config.attributes`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from ivr.storage.models import Base


def run_migrations_online() -> None:
    engine: Engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported: use `ivr db upgrade`")
run_migrations_online()
