"""The storage sub-commands, run as real processes on a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from ivr.storage import calls
from ivr.storage.database import Database, DatabaseSettings
from ivr.storage.types import utc_now

ROOT = Path(__file__).resolve().parents[2]


def ivr(db_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IVR_DATABASE_URL": db_url}
    return subprocess.run([sys.executable, "-m", "ivr", *args], input=stdin, text=True,
                          capture_output=True, env=env, cwd=ROOT, timeout=60, check=False)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_db_upgrade_then_current(db_url: str) -> None:
    before = ivr(db_url, "db", "current")
    assert before.returncode == 2 and "none" in before.stdout
    assert ivr(db_url, "db", "upgrade").returncode == 0
    after = ivr(db_url, "db", "current")
    assert after.returncode == 0 and "up to date" in after.stdout


def test_users_add_list_disable(db_url: str) -> None:
    added = ivr(db_url, "users", "add", "marie", "--role", "admin", "--password-stdin",
                stdin="a long enough password\n")
    assert added.returncode == 0, added.stderr
    assert "marie created (admin)" in added.stdout
    duplicate = ivr(db_url, "users", "add", "marie", "--role", "agent", "--password-stdin",
                    stdin="a long enough password\n")
    assert duplicate.returncode == 1 and "already exists (conflict)" in duplicate.stderr
    short = ivr(db_url, "users", "add", "paul", "--role", "agent", "--password-stdin",
                stdin="short\n")
    assert short.returncode == 1 and "invalid_value" in short.stderr
    assert ivr(db_url, "users", "add", "paul", "--role", "mayor").returncode == 2
    assert ivr(db_url, "users", "disable", "marie").returncode == 0
    assert ivr(db_url, "users", "list").stdout == "marie\tadmin\tdisabled\n"
    assert ivr(db_url, "users", "disable", "nobody").returncode == 1


def test_purge_and_privacy_commands(db_url: str) -> None:
    database = Database(DatabaseSettings(url=db_url))
    database.upgrade()
    with database.transaction() as s:
        calls.start_call(s, "old", "0612345678", started_at=utc_now() - timedelta(days=45))
        calls.start_call(s, "new", "0612345678")
    database.dispose()
    purged = ivr(db_url, "purge")
    assert purged.returncode == 0 and json.loads(purged.stdout)["calls"] == 1
    exported = ivr(db_url, "privacy", "export", "+33 6 12 34 56 78")
    assert [c["id"] for c in json.loads(exported.stdout)["calls"]] == ["new"]
    assert ivr(db_url, "privacy", "erase", "0612345678").returncode == 2
    erased = ivr(db_url, "privacy", "erase", "0612345678", "--yes")
    assert json.loads(erased.stdout)["calls"] == 1
    bad = ivr(db_url, "privacy", "export", "n'importe quoi")
    assert bad.returncode == 1 and "not a phone number" in bad.stderr
    assert ivr(db_url, "purge", "--days", "0").returncode == 1
