"""The `database` fixture: a migrated, empty database, once on SQLite and once on PostgreSQL.

Tests written against it run on both engines; the PostgreSQL case carries the `postgres`
marker and skips (or fails under IVR_REQUIRE_REAL_SERVICES=1) when no server can be started.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.storage.database import Database, DatabaseSettings


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    db = Database(DatabaseSettings(url=f"sqlite:///{path}"))
    db.upgrade()
    db.dispose()  # the last connection to close checkpoints the WAL into the file
    assert not path.with_name("template.db-wal").exists()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path / "standardiste.db"
        shutil.copyfile(sqlite_template, path)
        db = Database(DatabaseSettings(url=f"sqlite:///{path}"))
        try:
            yield db
        finally:
            db.dispose()
        return
    server = request.getfixturevalue("postgres_server")
    name = server.new_database()
    db = Database(DatabaseSettings(url=server.url(name)))
    try:
        yield db
    finally:
        db.dispose()
        server.admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
