"""Shared by the CLI tests: a database file named by IVR_DATABASE_URL, and `run` for calling
the `ivr` command in-process and reading what it printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.cli import main


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("IVR_DATABASE_URL", url)
    return url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`ivr ARGS...` in this process: (exit code, stdout, stderr)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
