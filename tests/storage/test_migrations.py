"""The Alembic migrations and the ORM models describe the same schema, on both databases."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import column, insert, inspect, table

from ivr.storage import callbacks, calls
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


def test_turns_stored_before_their_keys_are_kept_and_keyed_writes_follow(
    database: Database,
) -> None:
    """0010 adds `turns.write_key` (unique) to a database that already holds turns."""
    command.downgrade(alembic_config(database.engine), "0009")
    with database.transaction() as s:
        calls.start_call(s, "c-old", None)
    turns = table("turns", column("call_id"), column("seq"), column("at"),
                  column("speaker"), column("text"))
    with database.engine.begin() as connection:
        at = connection.exec_driver_sql("SELECT started_at FROM calls").scalar()
        connection.execute(insert(turns), [
            {"call_id": "c-old", "seq": n, "at": at, "speaker": "caller", "text": f"t{n}"}
            for n in (1, 2)])
    database.upgrade()
    assert current_revision(database.engine) == head_revision()
    with database.transaction() as s:
        calls.add_turn(s, "c-old", "assistant", "keyed", key="k-1")
        calls.add_turn(s, "c-old", "assistant", "keyed", key="k-1")
    with database.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT seq, text, write_key FROM turns ORDER BY seq").all()
    assert [tuple(r) for r in rows] == [(1, "t1", None), (2, "t2", None), (3, "keyed", "k-1")]


def test_callback_requests_stored_before_their_keys_are_kept_and_keyed_writes_follow(
    database: Database,
) -> None:
    """0011 adds `callback_requests.write_key` (unique) to a database that already holds
    requests."""
    command.downgrade(alembic_config(database.engine), "0010")
    with database.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO callback_requests (phone, reason, status, requested_at) "
            "VALUES ('+33612345678', 'ancien', 'pending', '2026-12-01 09:00:00')")
    database.upgrade()
    assert current_revision(database.engine) == head_revision()
    with database.transaction() as s:
        first = callbacks.request_callback(s, phone="0612345678", reason="neuf", key="k-1")
        again = callbacks.request_callback(s, phone="0612345678", reason="neuf", key="k-1")
    assert again.id == first.id
    with database.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT reason, write_key FROM callback_requests ORDER BY id").all()
    assert [tuple(r) for r in rows] == [("ancien", None), ("neuf", "k-1")]
