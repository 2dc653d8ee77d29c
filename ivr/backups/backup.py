"""`make_backup`: one archive of an install (database, flow files, recorded prompts, settings).

Files of the Vosk models folder and of the prompt cache are never saved, even when the
recorded prompts folder contains them; nor is the SQLite database file itself (it travels as
its consistent copy).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from dialogs.runtime import default_flow_path
from ivr.backups import database_copy
from ivr.backups.archive import FORMAT_VERSION, ArchiveWriter, Manifest, member_name
from ivr.backups.errors import BackupError
from ivr.config import ServiceSettings
from ivr.flow_bundle import read_directory
from ivr.storage.database import Database, masked_url
from ivr.storage.migrate import current_revision


def _flow_files(settings: ServiceSettings) -> list[Path]:
    """The configured flow file first, then its companions; none for the shipped flow."""
    main = settings.service.flow
    if main is None or main.resolve() == default_flow_path().resolve():
        return []
    if not main.is_file():
        raise BackupError(f"no flow file {main} (the settings' [service] flow)")
    return [main.parent / name for name in read_directory(main)]


def _prompt_files(settings: ServiceSettings) -> list[Path]:
    """Every regular file of the recorded prompts folder, except models, cache and database."""
    folder = settings.speech.recorded_prompts_dir
    if folder is None or not folder.is_dir():
        return []
    excluded = [settings.speech.models_dir.resolve(), settings.speech.prompt_cache_dir.resolve()]
    database = (database_copy.sqlite_file(settings.database.url).resolve()
                if settings.database.url.startswith("sqlite") else None)
    files = []
    for path in sorted(folder.rglob("*")):
        real = path.resolve()
        if not path.is_file() or any(real.is_relative_to(e) for e in excluded):
            continue
        if database is not None and real.name.startswith(database.name) and (
                real.parent == database.parent):
            continue  # the database, its -wal and -shm
        files.append(path)
    return files


def make_backup(settings: ServiceSettings, target: Path) -> list[str]:
    """Write the archive `target`; one line per part saying what was saved."""
    lines: list[str] = []
    parts: dict[str, dict[str, Any]] = {}
    url = settings.database.url
    kind = database_copy.engine_kind(url)
    writer = ArchiveWriter(target)
    try:
        with tempfile.TemporaryDirectory(prefix="ivr-backup-") as scratch:
            copy = Path(scratch) / "database"
            if kind == "sqlite":
                revision = database_copy.save_sqlite(url, copy)
                member = database_copy.SQLITE_MEMBER
                where = str(database_copy.sqlite_file(url))
            else:
                database_copy.tool("pg_dump")  # before connecting: the clearer error
                revision = _postgres_revision(settings)
                database_copy.save_postgres(url, copy)
                member, where = database_copy.POSTGRES_MEMBER, masked_url(url)
            parts["database"] = {"engine": kind, "files": [member]}
            lines.append(f"database: {kind} {where} saved (revision {revision or 'none'})")
            flow = _flow_files(settings)
            prompts = _prompt_files(settings)
            manifest = Manifest(
                format_version=FORMAT_VERSION, created_at=datetime.now(UTC).isoformat(),
                alembic_revision=revision, parts=parts)
            if flow:
                parts["flow"] = {"main": flow[0].name,
                                 "files": [member_name("flow", p.name) for p in flow]}
                lines.append(f"flow: {flow[0]} and {len(flow) - 1} companion file(s) saved")
            else:
                lines.append("flow: the shipped town-hall flow, nothing to save")
            if prompts:
                folder = settings.speech.recorded_prompts_dir
                assert folder is not None, "prompt files come from the configured folder"
                names = [member_name("prompts", PurePosixPath(p.relative_to(folder).as_posix()))
                         for p in prompts]
                parts["prompts"] = {"files": names}
                lines.append(f"recorded prompts: {len(prompts)} file(s) saved from {folder}")
            else:
                lines.append("recorded prompts: none")
            if settings.source is not None:
                parts["settings"] = {"name": settings.source.name,
                                     "files": [member_name("settings", "standardiste.toml")]}
                lines.append(f"settings: {settings.source} saved")
            else:
                lines.append("settings: no settings file in use")
            writer.add_bytes("manifest.json", manifest.to_json())
            writer.add_file(member, copy)
            for path, name in zip(flow, parts.get("flow", {}).get("files", []), strict=True):
                writer.add_file(name, path)
            for path, name in zip(prompts, parts.get("prompts", {}).get("files", []),
                                  strict=True):
                writer.add_file(name, path)
            if settings.source is not None:
                writer.add_file(parts["settings"]["files"][0], settings.source)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    lines.append(f"backup written to {target}")
    return lines


def _postgres_revision(settings: ServiceSettings) -> str | None:
    database = Database(settings.database)
    try:
        return current_revision(database.engine)
    except SQLAlchemyError as err:
        raise BackupError(f"cannot read the database {masked_url(settings.database.url)}: "
                          f"{type(err).__name__}") from err
    finally:
        database.dispose()
