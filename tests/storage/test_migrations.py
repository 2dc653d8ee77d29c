"""The Alembic migrations and the ORM models describe the same schema, on both databases."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from ivr.storage.database import Database, DatabaseSettings, default_sqlite_path
from ivr.storage.migrate import alembic_config, current_revision, head_revision
from ivr.storage.models import Base


def test_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert current_revision(database.engine) == head_revision()


def test_upgrade_from_nothing_and_again_is_harmless(tmp_path: Path) -> None:
    db = Database(DatabaseSettings(url=f"sqlite:///{tmp_path / 'sub' / 'new.db'}"))
    assert current_revision(db.engine) is None
    db.upgrade()
    db.upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {"calls", "turns", "appointments", "tickets", "users"} <= tables
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


def test_settings_come_from_the_environment(tmp_path: Path) -> None:
    pg = "postgresql+psycopg://u:p@127.0.0.1:5433/x"
    assert DatabaseSettings.from_environment({"IVR_DATABASE_URL": pg}).url == pg
    env = {"XDG_DATA_HOME": str(tmp_path)}
    expected = tmp_path / "standardiste" / "standardiste.db"
    assert default_sqlite_path(env) == expected
    assert DatabaseSettings.from_environment(env).url == f"sqlite:///{expected}"
    assert default_sqlite_path({"HOME": "/home/x"}) == Path(
        "/home/x/.local/share/standardiste/standardiste.db")


def test_downgrade_to_nothing_and_back(database: Database) -> None:
    command.downgrade(alembic_config(database.engine), "base")
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
    database.upgrade()
    assert current_revision(database.engine) == head_revision()
