"""`ivr backup` and `ivr restore` on real installs: real SQLite files or a real PostgreSQL, real
flow files, a real WAV, real tar.gz archives, the commands run in-process.

An install is a folder with its settings file (flow file, recorded prompts folder, prompt
cache, database); a fresh install is another folder whose locations come from the `IVR_*`
environment, as on a new server.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dialogs.runtime import default_flow_path
from ivr.backups.database_copy import postgres_environment
from ivr.storage import calls, flows, prompts
from ivr.storage.database import Database, DatabaseSettings
from ivr.storage.migrate import current_revision, head_revision, upgrade
from tests.cli.conftest import run
from tests.harness.postgres import PostgresServer

HEAD = head_revision()
FLOW_FILES = ("mairie.yaml", "mairie.intents.yaml", "mairie.kb.yaml", "mairie.hours.yaml")


def _wav(seconds: float = 0.2, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(range(256)) * int(seconds * rate * 2 / 256))
    return buffer.getvalue()


@dataclass
class Install:
    root: Path
    url: str

    @property
    def config(self) -> Path:
        return self.root / "standardiste.toml"

    @property
    def flow(self) -> Path:
        return self.root / "flows" / "mairie.yaml"

    @property
    def prompts(self) -> Path:
        return self.root / "prompts"

    def database(self) -> Database:
        return Database(DatabaseSettings(url=self.url))

    def use(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point the environment at this install, as a fresh server would be set up."""
        monkeypatch.setenv("IVR_DATABASE_URL", self.url)
        monkeypatch.setenv("IVR_SERVICE_FLOW", str(self.flow))
        monkeypatch.setenv("IVR_PROMPTS_DIR", str(self.prompts))
        monkeypatch.setenv("IVR_SERVICE_DATA_DIR", str(self.root / "data"))
        monkeypatch.setenv("IVR_PROMPT_CACHE", str(self.prompts / "cache"))


def populate(install: Install) -> None:
    """Settings file, flow files, a recorded prompt WAV (and a cached prompt that must not
    travel), and a database with a call and its turns, a flow version, a stored prompt."""
    install.flow.parent.mkdir(parents=True)
    for name in FLOW_FILES:
        shutil.copyfile(default_flow_path().with_name(name), install.flow.with_name(name))
    with install.flow.open("a", encoding="utf-8") as out:
        out.write("# this town hall's copy\n")
    (install.prompts / "cache").mkdir(parents=True)
    (install.prompts / "accueil.wav").write_bytes(_wav())
    (install.prompts / "cache" / "synth-0001.wav").write_bytes(_wav(0.1))
    install.config.write_text(
        f'[service]\nflow = "{install.flow}"\ndata_dir = "{install.root / "data"}"\n'
        f'[speech]\nrecorded_prompts_dir = "{install.prompts}"\n'
        f'prompt_cache_dir = "{install.prompts / "cache"}"\n'
        f'[database]\nurl = "{install.url}"\n', encoding="utf-8")
    database = install.database()
    database.upgrade()
    with database.transaction() as s:
        calls.start_call(s, "call-1", "0612345678")
        calls.add_turn(s, "call-1", "caller", "je voudrais un passeport", intent="passeport",
                       confidence=0.9)
        calls.add_turn(s, "call-1", "assistant", "Pour un passeport, prenez rendez-vous.")
        calls.end_call(s, "call-1", "resolved", summary="passeport")
        flows.save_version(s, "mairie", install.flow.read_text(encoding="utf-8"),
                           author="marie")
        prompts.save_prompt(s, "accueil", _wav(0.3), uploaded_by="marie")
    database.dispose()


def contents(install: Install) -> tuple[object, ...]:
    """What a restore must give back: calls with turns, flow versions, stored prompts."""
    database = install.database()
    try:
        with database.transaction() as s:
            return (
                [calls.get_call(s, c.id) for c in calls.list_calls(s)],
                flows.list_versions(s),
                {p: prompts.get_prompt(s, p).wav for p in prompts.prompt_ids(s)},
            )
    finally:
        database.dispose()


@pytest.fixture(autouse=True)
def _no_outside_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("IVR_CONFIG", "IVR_DATABASE_URL", "IVR_PROMPTS_DIR", "IVR_SERVICE_FLOW"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def sqlite_install(root: Path) -> Install:
    return Install(root, f"sqlite:///{root / 'db' / 'standardiste.db'}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def new_install(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[
        Callable[[str], Install]]:
    """Makes installs in tmp_path on one engine: SQLite files or PostgreSQL databases."""
    made: list[str] = []
    server: PostgresServer | None = None
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres_server")

    def make(name: str) -> Install:
        if server is None:
            return sqlite_install(tmp_path / name)
        database = server.new_database()  # migrated, empty: like a new install after start
        made.append(database)
        return Install(tmp_path / name, server.url(database))

    yield make
    for database in made:
        assert server is not None
        server.admin_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def test_a_backup_restored_on_a_fresh_install_gives_back_everything(
    new_install: Callable[[str], Install], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    old, fresh = new_install("old"), new_install("fresh")
    populate(old)
    archive = tmp_path / "standardiste.tar.gz"
    code, out, err = run(capsys, "backup", str(archive), "--config", str(old.config))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("database: ") and f"saved (revision {HEAD})" in lines[0]
    assert lines[1:] == [
        f"flow: {old.flow} and 3 companion file(s) saved",
        f"recorded prompts: 1 file(s) saved from {old.prompts}",
        f"settings: {old.config} saved",
        f"backup written to {archive}",
    ]
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert "prompts/cache/synth-0001.wav" not in names and "prompts/accueil.wav" in names
    assert manifest["alembic_revision"] == head_revision() and manifest["format_version"] == 1
    assert archive.stat().st_mode & 0o077 == 0  # transcripts and secrets: the owner's only

    fresh.root.mkdir()
    fresh.use(monkeypatch)
    code, out, err = run(capsys, "restore", str(archive), "--config", str(fresh.config))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("database: restored into ") and f"now at {HEAD}" in lines[0]
    assert lines[1:] == [
        f"flow: 4 file(s) restored into {fresh.flow.parent}",
        f"recorded prompts: 1 file(s) restored into {fresh.prompts}",
        f"settings: {fresh.config} restored",
    ]
    assert contents(fresh) == contents(old)
    for name in FLOW_FILES:
        assert (fresh.flow.parent / name).read_bytes() == (old.flow.parent / name).read_bytes()
    assert (fresh.prompts / "accueil.wav").read_bytes() == (old.prompts / "accueil.wav"
                                                            ).read_bytes()
    assert not (fresh.prompts / "cache").exists()
    assert fresh.config.read_bytes() == old.config.read_bytes()

    # The old install's database is not empty: replacing it needs --force.
    old.use(monkeypatch)
    code, _, err = run(capsys, "restore", str(archive), "--config", str(old.config))
    assert code == 1 and "is not empty: use --force" in err
    code, out, err = run(capsys, "restore", str(archive), "--config", str(old.config),
                         "--force")
    assert code == 0, err
    assert contents(old) == contents(fresh)


def test_a_backup_of_an_older_schema_is_migrated_forward(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old, fresh = sqlite_install(tmp_path / "old"), sqlite_install(tmp_path / "fresh")
    database = old.database()
    upgrade(database.engine, "0003")
    database.dispose()
    monkeypatch.setenv("IVR_DATABASE_URL", old.url)
    archive = tmp_path / "old.tar.gz"
    code, out, _ = run(capsys, "backup", str(archive))
    assert code == 0 and "saved (revision 0003)" in out
    assert "flow: the shipped town-hall flow, nothing to save" in out
    monkeypatch.setenv("IVR_DATABASE_URL", fresh.url)
    code, out, err = run(capsys, "restore", str(archive))
    assert code == 0, err
    assert f"(saved at revision 0003, now at {HEAD})" in out
    database = fresh.database()
    try:
        assert current_revision(database.engine) == head_revision()
    finally:
        database.dispose()


def _hostile(path: Path, member: tarfile.TarInfo, data: bytes = b"") -> Path:
    """An archive with a genuine manifest and one bad member."""
    manifest = json.dumps({"format": "standardiste-backup", "format_version": 1,
                           "created_at": "2026-01-01T00:00:00+00:00", "alembic_revision": None,
                           "parts": {"prompts": {"files": [member.name]}}}).encode()
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
        member.size = len(data) if member.isreg() else 0
        tar.addfile(member, io.BytesIO(data) if member.isreg() else None)
    return path


def _member(name: str, kind: bytes = tarfile.REGTYPE, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: _hostile(p, _member("../x"), b"evil"), "outside the archive (..)"),
    (lambda p: _hostile(p, _member("prompts/../../x"), b"evil"), "outside the archive (..)"),
    (lambda p: _hostile(p, _member(str(p.parent / "x")), b"evil"), "absolute path"),
    (lambda p: _hostile(p, _member("prompts/a.wav", tarfile.SYMTYPE, str(p.parent / "x"))),
     "is a link"),
    (lambda p: _hostile(p, _member("prompts/a.wav", tarfile.LNKTYPE, "manifest.json")),
     "is a link"),
    (lambda p: _hostile(p, _member("prompts/null", tarfile.CHRTYPE)), "not a regular file"),
    (lambda p: _hostile(p, _member("etc/passwd"), b"evil"), "not part of a standardiste"),
    (lambda p: p.write_bytes(b"just some text\n") and p, "not a tar.gz archive"),
    (lambda p: _newer_format(p), "newer than this version"),
], ids=["dotdot", "inner-dotdot", "absolute", "symlink", "hardlink", "device", "elsewhere",
        "not-a-tar", "newer-format"])
def test_a_hostile_or_foreign_archive_is_refused_and_nothing_is_written(
    make: Callable[[Path], Path], message: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "archive").mkdir()
    archive = make(tmp_path / "archive" / "backup.tar.gz")
    fresh = sqlite_install(tmp_path / "fresh")
    fresh.root.mkdir()
    fresh.use(monkeypatch)
    code, out, err = run(capsys, "restore", str(archive), "--config", str(fresh.config))
    assert code == 1 and out == ""
    assert message in err and "(archive_refused)" in err
    assert list(fresh.root.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "fresh"]
    assert [p.name for p in (tmp_path / "archive").iterdir()] == ["backup.tar.gz"]


def _newer_format(path: Path) -> Path:
    manifest = json.dumps({"format": "standardiste-backup", "format_version": 99,
                           "parts": {}}).encode()
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
    return path


def test_a_backup_without_a_database_or_into_a_missing_folder_fails_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IVR_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    code, out, err = run(capsys, "backup", str(tmp_path / "b.tar.gz"))
    assert code == 1 and out == "" and "no database file" in err
    assert not (tmp_path / "b.tar.gz").exists() and not (tmp_path / "b.tar.gz.partial").exists()
    database = Database(DatabaseSettings(url=f"sqlite:///{tmp_path / 'none.db'}"))
    database.upgrade()
    database.dispose()
    code, out, err = run(capsys, "backup", str(tmp_path / "missing" / "b.tar.gz"))
    assert code == 1 and out == "" and "No such file or directory" in err


def test_a_file_that_would_change_is_not_replaced_without_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old, fresh = sqlite_install(tmp_path / "old"), sqlite_install(tmp_path / "fresh")
    populate(old)
    archive = tmp_path / "b.tar.gz"
    assert run(capsys, "backup", str(archive), "--config", str(old.config))[0] == 0
    fresh.flow.parent.mkdir(parents=True)
    fresh.flow.write_text("name: autre\n", encoding="utf-8")
    fresh.use(monkeypatch)
    code, out, err = run(capsys, "restore", str(archive), "--config", str(fresh.config))
    assert code == 1 and out == ""
    assert f"{fresh.flow} exists and differs" in err and "(restore_conflict)" in err
    assert fresh.flow.read_text(encoding="utf-8") == "name: autre\n"
    assert sorted(p.name for p in fresh.root.iterdir()) == ["flows"]
    assert run(capsys, "restore", str(archive), "--config", str(fresh.config), "--force"
               )[0] == 0
    assert fresh.flow.read_bytes() == old.flow.read_bytes()


def test_without_pg_dump_a_postgresql_backup_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IVR_DATABASE_URL", "postgresql+psycopg://ivr:secret@127.0.0.1:1/ivr")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    code, out, err = run(capsys, "backup", str(tmp_path / "b.tar.gz"))
    assert code == 1 and out == ""
    assert "pg_dump is not installed" in err and "(tool_missing)" in err
    assert "secret" not in err and not (tmp_path / "b.tar.gz").exists()


def test_the_postgresql_credentials_travel_in_the_environment() -> None:
    env = postgres_environment(
        "postgresql+psycopg://ivr:s%40cr%3At@db.mairie.local:5433/standardiste?sslmode=require")
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGPASSWORD"],
            env["PGDATABASE"], env["PGSSLMODE"]) == (
        "db.mairie.local", "5433", "ivr", "s@cr:t", "standardiste", "require")


def test_a_database_member_that_is_not_a_database_is_refused_before_anything_changes(
    new_install: Callable[[str], Install], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    fresh = new_install("fresh")
    member = ("database/standardiste.sqlite3" if fresh.url.startswith("sqlite")
              else "database/standardiste.pgdump")
    manifest = json.dumps({"format": "standardiste-backup", "format_version": 1,
                           "alembic_revision": HEAD,
                           "parts": {"database": {"files": [member]}}}).encode()
    archive = tmp_path / "b.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in (("manifest.json", manifest), (member, b"not a database " * 100)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    fresh.root.mkdir()
    fresh.use(monkeypatch)
    code, out, err = run(capsys, "restore", str(archive), "--force")
    assert code == 1 and out == "" and "(backup_error)" in err
    assert "not an SQLite file" in err or "not a readable pg_dump file" in err
    assert list(fresh.root.iterdir()) == []
    if not fresh.url.startswith("sqlite"):
        database = fresh.database()
        try:
            assert current_revision(database.engine) == head_revision()  # tables still there
        finally:
            database.dispose()


def test_a_backup_of_one_engine_is_not_restored_onto_the_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old = sqlite_install(tmp_path / "old")
    database = old.database()
    database.upgrade()
    database.dispose()
    monkeypatch.setenv("IVR_DATABASE_URL", old.url)
    archive = tmp_path / "b.tar.gz"
    assert run(capsys, "backup", str(archive))[0] == 0
    monkeypatch.setenv("IVR_DATABASE_URL", "postgresql+psycopg://ivr:secret@127.0.0.1:1/ivr")
    code, out, err = run(capsys, "restore", str(archive))
    assert code == 1 and out == ""
    assert "holds a sqlite database but this install uses postgresql" in err
    assert "secret" not in err
