"""A database URL's password never shows, and an unusable URL is a clear storage error
(issue 17, item 8): from the storage layer, and from the CLI run as the admin runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ivr.storage.database import Database, DatabaseSettings, masked_url
from ivr.storage.errors import StorageError

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Pa55-s3cret"
UNUSABLE = [
    (f"mysql://mairie:{SECRET}@db.mairie.example/standardiste", "unsupported database URL"),
    (f"postgresql+psycopg://mairie:{SECRET}@db.mairie.example:abc/standardiste",
     "the port must be a number from 1 to 65535"),
    (f"postgresql+psycopg://mairie:{SECRET}@db.mairie.example:70000/standardiste",
     "the port must be a number from 1 to 65535"),
    (f"postgresql+nodriver://mairie:{SECRET}@db.mairie.example/standardiste",
     "unusable database URL"),
]


@pytest.mark.parametrize(("url", "reason"), UNUSABLE)
def test_an_unusable_url_is_a_storage_error_without_the_password(url: str, reason: str) -> None:
    with pytest.raises(StorageError) as raised:
        Database(DatabaseSettings(url=url))
    assert reason in str(raised.value)
    assert "mairie:***@db.mairie.example" in str(raised.value)
    assert SECRET not in str(raised.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://u:p@ss/w@rd@host:5432/db", "postgresql+psycopg://u:***@host:5432/db"),
        ("postgresql+psycopg://u@host/db", "postgresql+psycopg://u@host/db"),
        ("postgresql+psycopg://host/db?user=u&password=x&sslmode=require",
         "postgresql+psycopg://host/db?user=u&password=***&sslmode=require"),
        ("sqlite:////srv/standardiste.db", "sqlite:////srv/standardiste.db"),
    ],
)
def test_masked_urls_hide_the_whole_password(url: str, shown: str) -> None:
    assert masked_url(url) == shown
    assert "x&" not in repr(DatabaseSettings(url=url)) and "rd@" not in masked_url(url)


@pytest.mark.parametrize(("url", "reason"), UNUSABLE[:2])
def test_the_cli_reports_an_unusable_url_in_one_line(url: str, reason: str,
                                                     tmp_path: Path) -> None:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("IVR_")},
           "IVR_DATABASE_URL": url, "XDG_DATA_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "ivr", "db", "current"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert reason in done.stderr and "(storage_error)" in done.stderr
    assert "Traceback" not in done.stderr
    assert SECRET not in done.stderr + done.stdout
