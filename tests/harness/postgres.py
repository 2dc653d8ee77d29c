"""A real PostgreSQL 15 for the tests: Debian's binaries, a temporary data directory, its own
loopback port, started once per test session and stopped at the end.

As root, initdb/pg_ctl run as the `postgres` system user (PostgreSQL refuses to run as root).
Each test gets a fresh database cloned from a migrated template (CREATE DATABASE ... TEMPLATE),
which takes milliseconds instead of re-running migrations.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ivr.storage.database import Database, DatabaseSettings
from tests.harness.real_services import unavailable

PG_BIN = Path("/usr/lib/postgresql/15/bin")
TEMPLATE = "ivr_template"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    """A running server: where it is and how to reach it."""

    base: Path
    port: int
    run_as: str | None
    options: str = ""
    """The server's `pg_ctl -o` options (port, socket folder, settings)."""
    counter: Iterator[int] = field(default_factory=itertools.count)

    def stop(self) -> None:
        """Stop the server (fast: open connections are closed), as a restart begins."""
        done = _run([str(PG_BIN / "pg_ctl"), "-D", str(self.base / "data"), "-m", "fast",
                     "-w", "stop"], self.run_as)
        assert done.returncode == 0, done.stderr

    def start(self) -> None:
        """Start it again on the same port and data."""
        done = _run([str(PG_BIN / "pg_ctl"), "-D", str(self.base / "data"), "-l",
                     str(self.base / "server.log"), "-w", "-t", "60", "-o", self.options,
                     "start"], self.run_as)
        assert done.returncode == 0, done.stderr

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin_sql(self, statement: str) -> None:
        engine = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()

    def new_database(self) -> str:
        name = f"ivr_test_{next(self.counter)}"
        self.admin_sql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return name


def _run(cmd: list[str], run_as: str | None) -> subprocess.CompletedProcess[str]:
    if run_as is not None:
        cmd = ["runuser", "-u", run_as, "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def start_server() -> PostgresServer:
    """initdb + pg_ctl start; calls `unavailable` when the machine cannot do it."""
    if not (PG_BIN / "initdb").exists():
        unavailable(f"PostgreSQL 15 is not installed ({PG_BIN}/initdb missing; "
                    "scripts/apt-test.txt lists the package postgresql)")
    run_as: str | None = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            unavailable("running as root and there is no 'postgres' user to run PostgreSQL")
        if shutil.which("runuser") is None:
            unavailable("running as root and 'runuser' is missing to run PostgreSQL")
        run_as = "postgres"
    base = Path(tempfile.mkdtemp(prefix="ivr-pg-"))
    if run_as is not None:
        user = pwd.getpwnam(run_as)
        os.chown(base, user.pw_uid, user.pw_gid)
    os.chmod(base, 0o700)
    data = base / "data"
    init = _run([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                 "-E", "UTF8", "--locale=C", "--no-sync"], run_as)
    if init.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        unavailable(f"initdb failed: {init.stderr.strip()[-500:]}")
    port = _free_port()
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
    started = _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"),
                    "-w", "-t", "60", "-o", options, "start"], run_as)
    if started.returncode != 0:
        log = (base / "server.log").read_text(errors="replace")[-800:] if (
            base / "server.log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        unavailable(f"PostgreSQL did not start: {started.stderr.strip()[-300:]} {log}")
    server = PostgresServer(base=base, port=port, run_as=run_as, options=options)
    server.admin_sql(f"CREATE DATABASE {TEMPLATE}")
    template = Database(DatabaseSettings(url=server.url(TEMPLATE)))
    try:
        template.upgrade()
    finally:
        template.dispose()
    return server


def stop_server(server: PostgresServer) -> None:
    _run([str(PG_BIN / "pg_ctl"), "-D", str(server.base / "data"), "-m", "fast", "-w", "stop"],
         server.run_as)
    shutil.rmtree(server.base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server (started on first use)."""
    server = start_server()
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture
def shared_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh database on the session's server (the one several workers share), dropped
    after the test."""
    name = postgres_server.new_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
