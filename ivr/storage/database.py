"""Opening the database: URL choice, engine set-up, transactions, migrations.

SQLite is the embedded default: one file, `$XDG_DATA_HOME/standardiste/standardiste.db`
(`~/.local/share/...` when XDG_DATA_HOME is unset), in WAL mode with foreign keys on and a
5 s busy timeout. Each SQLite transaction starts with `BEGIN IMMEDIATE`: writers queue
behind each other instead of failing half-way, which is what a small town hall's load needs.
PostgreSQL is used when `IVR_DATABASE_URL` (or `DatabaseSettings.url`) names it, e.g.
`postgresql+psycopg://user:password@127.0.0.1:5432/standardiste` (psycopg 3).

The API is synchronous SQLAlchemy. Async code (the call session) calls it through
`Database.run`, which runs one transaction in a worker thread (`asyncio.to_thread`); FastAPI
runs the back office's plain `def` endpoints in its thread pool.
Repository functions take a `Session` and never commit: `Database.transaction()` does.

A URL's password never reaches a log or an error message: they show `masked_url(url)`
(`postgresql+psycopg://user:***@host/db`). A URL that cannot be used (unknown scheme or
driver, unparsable, a port that is not a number from 1 to 65535) raises `StorageError`, which
the service treats like an unreachable database (it runs degraded) and the CLI reports in one
line.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ivr.storage.errors import DatabaseUnavailable, StorageError

ENV_URL = "IVR_DATABASE_URL"
P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    """Where the database lives."""

    url: str
    """SQLAlchemy URL: `sqlite:///PATH` or `postgresql+psycopg://...`."""
    busy_timeout_ms: int = 5000
    """SQLite only: how long a writer waits for another, milliseconds."""
    pool_size: int = 5
    """PostgreSQL only: connections kept open."""

    def __repr__(self) -> str:
        return (f"DatabaseSettings(url={masked_url(self.url)!r}, "
                f"busy_timeout_ms={self.busy_timeout_ms}, pool_size={self.pool_size})")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> DatabaseSettings:
        """`IVR_DATABASE_URL` if set, else the SQLite file in the XDG data directory."""
        env = os.environ if environ is None else environ
        url = env.get(ENV_URL, "").strip()
        if url:
            return cls(url=url)
        return cls(url=f"sqlite:///{default_sqlite_path(env)}")


_QUERY_SECRET = re.compile(r"(?i)((?:password|passwd|pwd)=)[^&;]*")


def masked_url(url: str) -> str:
    """`url` with its password replaced by `***` (in the user part and in the query); what
    logs and messages show. Everything before the last `@` of the address is the user part,
    so a password that itself contains `@` is hidden whole."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    address, query_sep, query = rest.partition("?")
    userinfo, at, host = address.rpartition("@")
    if at:
        user, colon, _secret = userinfo.partition(":")
        address = f"{user}:***@{host}" if colon else address
    masked = (f"{scheme}://" if sep else "") + address
    if query_sep:
        masked += "?" + _QUERY_SECRET.sub(r"\1***", query)
    return masked


def _checked_url(url: str) -> None:
    """`StorageError` (with the URL masked) when SQLAlchemy cannot parse `url` or its port
    is not a number from 1 to 65535."""
    shown = masked_url(url)
    try:
        port = make_url(url).port
    except ValueError as err:  # SQLAlchemy's int() of the port
        raise StorageError(f"invalid database URL {shown}: the port must be a number "
                           "from 1 to 65535") from err
    except ArgumentError as err:  # its message quotes the whole URL: not shown
        raise StorageError(f"invalid database URL {shown}: it cannot be parsed "
                           "(expected postgresql+psycopg://user:password@host:port/db)"
                           ) from err
    if port is not None and not 0 < port < 65536:
        raise StorageError(f"invalid database URL {shown}: the port must be a number "
                           "from 1 to 65535")


def default_sqlite_path(environ: Mapping[str, str]) -> Path:
    """`$XDG_DATA_HOME/standardiste/standardiste.db` (XDG default: ~/.local/share)."""
    base = environ.get("XDG_DATA_HOME") or str(Path(environ.get("HOME", "~")) / ".local/share")
    return Path(base).expanduser() / "standardiste" / "standardiste.db"


def _sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    """Take transaction control from pysqlite so BEGIN IMMEDIATE and SAVEPOINT work."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(settings: DatabaseSettings) -> Engine:
    """Create the engine; for SQLite, create the file's directory first."""
    url = settings.url
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _sqlite_hooks(engine, settings.busy_timeout_ms)
        return engine
    if url.startswith("postgresql"):
        _checked_url(url)
        try:
            return create_engine(url, pool_size=settings.pool_size, pool_pre_ping=True)
        except (ArgumentError, ValueError) as err:  # an unknown driver, a bad query option
            raise StorageError(f"unusable database URL {masked_url(url)}: "
                               f"{type(err).__name__}") from err
    raise StorageError("unsupported database URL (use sqlite:/// or postgresql+psycopg://): "
                       f"{masked_url(url)}")


class Database:
    """An engine and its session factory; the one object the service and web app share."""

    def __init__(self, settings: DatabaseSettings) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error.

        SQLAlchemy errors that repositories did not map are wrapped in StorageError.
        """
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except OperationalError as err:
                session.rollback()
                raise DatabaseUnavailable(f"database unavailable: {err.orig}") from err
            except SQLAlchemyError as err:
                session.rollback()
                raise StorageError(f"database error: {err.__class__.__name__}") from err
            except BaseException:
                session.rollback()
                raise

    async def run(
        self, func: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """For async code: run `func(session, *args, **kwargs)` in one transaction, in a worker
        thread (`asyncio.to_thread`), so the event loop never waits on the database.

        Example: `await database.run(calls.add_turn, call_id, "caller", text)`.
        """

        def in_transaction() -> T:
            with self.transaction() as session:
                return func(session, *args, **kwargs)

        return await asyncio.to_thread(in_transaction)

    def ping(self) -> None:
        """Run `SELECT 1`; DatabaseUnavailable when it fails."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as err:
            raise DatabaseUnavailable(f"database unreachable: {err.__class__.__name__}") from err

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (safe to call at every start-up)."""
        from ivr.storage.migrate import upgrade

        upgrade(self.engine)

    def dispose(self) -> None:
        """Close every pooled connection. One still in use (a transaction running in its
        thread while the service stops) is closed when it comes back: the engine's pool is
        replaced here, and a connection returned to the old one would otherwise stay open
        until the garbage collector found it (psycopg warns: "deleted while still open")."""
        replaced = self.engine.pool
        self.engine.dispose()  # the engine goes on with a new pool, if used again
        event.listen(replaced, "checkin", _close_returned)  # (not copied to the new pool)
        replaced.dispose()  # one given back between the two lines above


def _close_returned(dbapi_connection: Any, _record: Any) -> None:
    """On a disposed pool: close a connection coming back to it."""
    if dbapi_connection is not None:
        dbapi_connection.close()
