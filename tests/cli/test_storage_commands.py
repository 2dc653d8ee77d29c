"""The storage sub-commands on a real SQLite file: in-process through `ivr.cli.main`, and as a
real process where a password is read from standard input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from ivr.cli import main
from ivr.storage import calls
from ivr.storage.database import Database, DatabaseSettings
from ivr.storage.types import utc_now
from tests.cli.conftest import run

ROOT = Path(__file__).resolve().parents[2]


def ivr_process(db_url: str, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IVR_DATABASE_URL": db_url}
    return subprocess.run([sys.executable, "-m", "ivr", *args], input=stdin, text=True,
                          capture_output=True, env=env, cwd=ROOT, timeout=60, check=False)


def test_db_upgrade_then_current(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "db", "current")
    assert code == 2 and "none" in out
    assert run(capsys, "db", "upgrade")[0] == 0
    code, out, _ = run(capsys, "db", "current")
    assert code == 0 and "up to date" in out


def test_users_add_reads_the_password_from_stdin(db_url: str) -> None:
    added = ivr_process(db_url, "users", "add", "marie", "--role", "admin", "--password-stdin",
                        stdin="a long enough password\n")
    assert added.returncode == 0, added.stderr
    assert "marie created (admin)" in added.stdout
    short = ivr_process(db_url, "users", "add", "paul", "--role", "agent", "--password-stdin",
                        stdin="short\n")
    assert short.returncode == 1 and "invalid_value" in short.stderr
    empty = ivr_process(db_url, "users", "passwd", "marie", "--password-stdin", stdin="")
    assert empty.returncode == 1 and "no password on standard input" in empty.stderr


def test_users_list_disable_and_refusals(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ivr_process(db_url, "users", "add", "marie", "--role", "admin", "--password-stdin",
                stdin="a long enough password\n")
    duplicate = ivr_process(db_url, "users", "add", "marie", "--role", "agent",
                            "--password-stdin", stdin="a long enough password\n")
    assert duplicate.returncode == 1 and "already exists (conflict)" in duplicate.stderr
    with pytest.raises(SystemExit) as bad_role:
        main(["users", "add", "paul", "--role", "mayor"])
    assert bad_role.value.code == 2
    capsys.readouterr()
    assert run(capsys, "users", "disable", "marie")[0] == 0
    assert run(capsys, "users", "list")[1] == "marie\tadmin\tdisabled\t-\n"
    code, _, err = run(capsys, "users", "disable", "nobody")
    assert code == 1 and "no user nobody (not_found)" in err


def test_an_agents_phone_is_named_changed_and_removed(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    added = ivr_process(db_url, "users", "add", "paul", "--role", "agent", "--phone", "101",
                        "--password-stdin", stdin="a long enough password\n")
    assert added.returncode == 0 and "paul created (agent, phone 101)" in added.stdout
    assert run(capsys, "users", "phone", "paul", "102")[1] == "user paul: phone 102\n"
    assert run(capsys, "users", "list")[1] == "paul\tagent\tactive\t102\n"
    code, _, err = run(capsys, "users", "phone", "paul", "PJSIP/102;x")
    assert code == 1 and "PJSIP endpoint" in err
    code, _, err = run(capsys, "users", "phone", "paul")
    assert code == 1 and "--none" in err
    assert run(capsys, "users", "phone", "paul", "--none")[1] == "user paul: phone none\n"
    assert run(capsys, "users", "list")[1] == "paul\tagent\tactive\t-\n"


def test_purge_and_privacy_commands(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    database = Database(DatabaseSettings(url=db_url))
    database.upgrade()
    with database.transaction() as s:
        calls.start_call(s, "old", "0612345678", started_at=utc_now() - timedelta(days=45))
        calls.start_call(s, "new", "0612345678")
    database.dispose()
    code, out, _ = run(capsys, "purge")
    assert code == 0 and json.loads(out)["calls"] == 1
    code, out, _ = run(capsys, "privacy", "export", "+33 6 12 34 56 78")
    assert [c["id"] for c in json.loads(out)["calls"]] == ["new"]
    code, _, err = run(capsys, "privacy", "erase", "0612345678")
    assert code == 2 and "--yes" in err
    code, out, _ = run(capsys, "privacy", "erase", "0612345678", "--yes")
    assert json.loads(out)["calls"] == 1
    code, _, err = run(capsys, "privacy", "export", "n'importe quoi")
    assert code == 1 and "not a phone number" in err
    assert run(capsys, "purge", "--days", "0")[0] == 1
