"""Saving and putting back the database: SQLite through its online backup API, PostgreSQL
through `pg_dump --format=custom` / `pg_restore`.

SQLite's backup API copies a consistent snapshot page by page while the service keeps
writing (WAL mode), and restoring is the same copy the other way, which replaces the target's
whole content. PostgreSQL's tools get the URL's host, port, user, password and database in
`PG*` environment variables, never on their command line (where `ps` would show them).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, MetaData, inspect, select, table
from sqlalchemy.engine import make_url

from ivr.backups.errors import BackupError, ToolMissing
from ivr.storage.database import masked_url

SQLITE_MEMBER = "database/standardiste.sqlite3"
POSTGRES_MEMBER = "database/standardiste.pgdump"
TOOL_TIMEOUT_S = 3600
"""Longest a pg_dump or pg_restore may run, seconds."""


def engine_kind(url: str) -> str:
    """"sqlite" or "postgresql"."""
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith("postgresql"):
        return "postgresql"
    raise BackupError(f"unsupported database URL {masked_url(url)}")


def sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be saved")
    return Path(database)


def save_sqlite(url: str, target: Path) -> str | None:
    """Copy the SQLite database into the new file `target`; its Alembic revision."""
    source_path = sqlite_file(url)
    if not source_path.is_file():
        raise BackupError(f"no database file {source_path}")
    try:
        source = sqlite3.connect(source_path)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            return _sqlite_revision(copy)
        finally:
            copy.close()
            source.close()
    except sqlite3.Error as err:
        raise BackupError(f"cannot copy the database {source_path}: {err}") from err


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table: never migrated
        return None
    return str(row[0]) if row else None


def restore_sqlite(saved: Path, url: str) -> None:
    """Replace the SQLite database's content with the saved copy."""
    target_path = sqlite_file(url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        source = sqlite3.connect(f"file:{saved}?mode=ro", uri=True)
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    except sqlite3.Error as err:
        raise BackupError(f"cannot restore the database into {target_path}: {err}") from err


def saved_sqlite_revision(saved: Path) -> str | None:
    """The Alembic revision of a saved SQLite copy (None: never migrated)."""
    try:
        connection = sqlite3.connect(f"file:{saved}?mode=ro", uri=True)
        try:
            return _sqlite_revision(connection)
        finally:
            connection.close()
    except sqlite3.DatabaseError as err:
        raise BackupError(f"the archive's database is not an SQLite file: {err}") from err


def is_empty(engine: Engine) -> bool:
    """True when no table but Alembic's holds a row (a new install, migrated or not)."""
    with engine.connect() as connection:
        for name in inspect(connection).get_table_names():
            if name != "alembic_version" and connection.execute(
                    select(1).select_from(table(name)).limit(1)).first() is not None:
                return False
    return True


def drop_all_tables(engine: Engine) -> None:
    """Drop every table (what a restore puts back replaces the whole schema)."""
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)


def postgres_environment(url: str) -> dict[str, str]:
    """This process's environment plus the URL's connection details as PG* variables."""
    parsed = make_url(url)
    env = dict(os.environ)
    for variable, value in (("PGHOST", parsed.host), ("PGPORT", parsed.port),
                            ("PGUSER", parsed.username), ("PGPASSWORD", parsed.password),
                            ("PGDATABASE", parsed.database)):
        if value is not None:
            env[variable] = str(value)
    for key, variable in (("sslmode", "PGSSLMODE"), ("host", "PGHOST")):
        option = parsed.query.get(key)
        if isinstance(option, str):
            env[variable] = option
    return env


def tool(name: str) -> str:
    """The path of program `name` (pg_dump, pg_restore); `ToolMissing` when not installed."""
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(f"{name} is not installed: it saves and restores PostgreSQL "
                          "databases (Debian package postgresql-client)")
    return found


def _run(command: list[str], url: str, what: str) -> None:
    try:
        done = subprocess.run(command, env=postgres_environment(url), capture_output=True,
                              text=True, timeout=TOOL_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as err:
        raise BackupError(f"{what} took longer than {TOOL_TIMEOUT_S} s") from err
    if done.returncode != 0:
        detail = " ".join(done.stderr.strip().splitlines()[-3:])
        raise BackupError(f"{what} failed for {masked_url(url)}: {detail}")


def save_postgres(url: str, target: Path) -> None:
    """`pg_dump --format=custom` of the database into `target`."""
    _run([tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
          f"--file={target}"], url, "pg_dump")


def check_postgres_dump(saved: Path) -> None:
    """`ToolMissing` unless pg_restore is installed, `BackupError` unless it can read the
    dump's table of contents (checked before anything is changed)."""
    try:
        listed = subprocess.run([tool("pg_restore"), "--list", str(saved)], capture_output=True,
                                text=True, timeout=TOOL_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as err:
        raise BackupError("pg_restore --list of the archive's database took too long") from err
    if listed.returncode != 0:
        raise BackupError("the archive's database is not a readable pg_dump file: "
                          + " ".join(listed.stderr.strip().splitlines()[-2:]))


def restore_postgres(saved: Path, url: str, engine: Engine) -> None:
    """Replace the database's tables with those of the dump (one transaction for the
    dump itself; the tables there before are dropped first)."""
    drop_all_tables(engine)
    database = make_url(url).database or ""
    _run([tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={database}", str(saved)],
         url, "pg_restore")
