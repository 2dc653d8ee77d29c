"""Alembic, driven from code: no alembic.ini, the scripts ship inside the package.

`upgrade(engine)` brings a database to the newest revision (used at service start-up and by
`ivr db upgrade`); `current_revision(engine)` tells where a database stands.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration whose env.py uses this engine's connections."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to `revision` (default: the newest)."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this version of standardiste."""
    script = ScriptDirectory(str(MIGRATIONS))
    return script.get_current_head()


def known_revisions() -> set[str]:
    """Every revision shipped with this version of standardiste (a backup made by a newer
    version can be at a revision not in here)."""
    script = ScriptDirectory(str(MIGRATIONS))
    return {revision.revision for revision in script.walk_revisions()}
