"""`restore_backup`: put an archive back onto an install, after checking all of it first.

Where things go is what the install's settings say once restored: the archived settings file
is written where this install reads its settings (`--config`, else $IVR_CONFIG, else
/etc/standardiste/standardiste.toml), and the `IVR_*` environment still overrides it, so the
database, flow file and recorded prompts folder are those it names. A flow or prompts folder
the settings do not name goes under the data folder (`flows/`, `prompts/`).

Everything that could refuse the restore is checked before anything is written: the archive
(see `ivr.backups.archive`), a schema revision this code knows, the database engine, the
tools, a database that is not empty or a file that would change (both need `force`). Then
the database is restored and migrated forward to this version's schema, then the files.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ivr.backups import database_copy
from ivr.backups.archive import Manifest, read_archive
from ivr.backups.errors import ArchiveRefused, BackupError, RestoreConflict
from ivr.config import (
    DEFAULT_CONFIG,
    ConfigError,
    ServiceSettings,
    config_path,
    load_settings,
)
from ivr.config.load import process_env
from ivr.storage.database import Database, masked_url
from ivr.storage.migrate import current_revision, known_revisions


@dataclass(frozen=True, slots=True)
class _Part:
    """Files of one archived part and where they go."""

    label: str
    folder: Path
    files: list[tuple[Path, Path]]
    """(staged copy, target) pairs."""
    note: str = ""


def _target_settings(manifest: Manifest, staging: Path, config: Path | None,
                     env: Mapping[str, str]) -> tuple[ServiceSettings, Path | None]:
    """The settings the restored install will have, and where the settings file goes."""
    if "settings" not in manifest.parts:
        return load_settings(config, env), None
    saved = staging / manifest.parts["settings"]["files"][0]
    try:
        settings = load_settings(saved, env)
    except ConfigError as err:
        raise ArchiveRefused(f"the archive's settings file cannot be used: {err}") from err
    return settings, config_path(config, env) or DEFAULT_CONFIG


def _parts(manifest: Manifest, staging: Path, settings: ServiceSettings,
           settings_target: Path | None) -> list[_Part]:
    parts = []
    if "flow" in manifest.parts:
        main = str(manifest.parts["flow"].get("main", ""))
        names = [f.removeprefix("flow/") for f in manifest.parts["flow"]["files"]]
        if main not in names or any("/" in name for name in names):
            raise ArchiveRefused("the archive's manifest is malformed (flow files)")
        configured = settings.service.flow
        target = configured or settings.data_dir / "flows" / main
        if target.name != main:
            raise ArchiveRefused(f"the archived flow is {main} but the settings' [service] "
                                 f"flow is {target}: its companion files need that name")
        note = "" if configured else f" (set [service] flow = \"{target}\" to play it)"
        parts.append(_Part("flow", target.parent,
                           [(staging / "flow" / n, target.parent / n) for n in names], note))
    if "prompts" in manifest.parts:
        configured = settings.speech.recorded_prompts_dir
        folder = configured or settings.data_dir / "prompts"
        note = "" if configured else f" (set [speech] recorded_prompts_dir = \"{folder}\")"
        files = [(staging / f, folder / f.removeprefix("prompts/"))
                 for f in manifest.parts["prompts"]["files"]]
        parts.append(_Part("recorded prompts", folder, files, note))
    if settings_target is not None:
        saved = staging / manifest.parts["settings"]["files"][0]
        parts.append(_Part("settings", settings_target.parent, [(saved, settings_target)]))
    return parts


def _check_conflicts(parts: list[_Part], force: bool) -> None:
    for part in parts:
        for staged, target in part.files:
            if target.is_dir() or target.is_symlink():
                raise RestoreConflict(f"{target} is in the way (a folder or a link)")
            if not force and target.exists() and target.read_bytes() != staged.read_bytes():
                raise RestoreConflict(f"{target} exists and differs from the archived one: "
                                      "use --force to replace it")


def _database_member(manifest: Manifest, staging: Path, url: str) -> Path:
    part = manifest.parts.get("database")
    kind = database_copy.engine_kind(url)
    expected = (database_copy.SQLITE_MEMBER if kind == "sqlite"
                else database_copy.POSTGRES_MEMBER)
    if part is None:
        raise ArchiveRefused("the archive holds no database")
    if part.get("files") != [expected]:
        raise ArchiveRefused(f"the archive holds a {part.get('engine')} database but this "
                             f"install uses {kind} ({masked_url(url)})")
    revision = manifest.alembic_revision
    if kind == "sqlite":
        revision = database_copy.saved_sqlite_revision(staging / expected)
    else:
        database_copy.check_postgres_dump(staging / expected)
    if revision is not None and revision not in known_revisions():
        raise ArchiveRefused(f"the archived database is at revision {revision}, unknown to "
                             "this version of standardiste (made by a newer one?)")
    return staging / expected


def _check_database_empty(settings: ServiceSettings, force: bool) -> None:
    url = settings.database.url
    if force or (url.startswith("sqlite") and not database_copy.sqlite_file(url).exists()):
        return
    database = Database(settings.database)
    try:
        if not database_copy.is_empty(database.engine):
            raise RestoreConflict(f"the database {masked_url(url)} is not empty: use --force "
                                  "to replace its content")
    finally:
        database.dispose()


def _restore_database(saved: Path, settings: ServiceSettings) -> str:
    url = settings.database.url
    database = Database(settings.database)
    try:
        if url.startswith("sqlite"):
            database.dispose()
            database_copy.restore_sqlite(saved, url)
        else:
            database_copy.restore_postgres(saved, url, database.engine)
        before = current_revision(database.engine)
        database.upgrade()
        after = current_revision(database.engine)
    finally:
        database.dispose()
    where = database_copy.sqlite_file(url) if url.startswith("sqlite") else masked_url(url)
    kind = database_copy.engine_kind(url)
    return (f"database: restored into {kind} {where} (saved at revision {before or 'none'}, "
            f"now at {after})")


def _write(staged: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.restoring")
    partial.write_bytes(staged.read_bytes())
    os.replace(partial, target)


def restore_backup(archive: Path, *, config: Path | None = None, force: bool = False,
                   env: Mapping[str, str] | None = None) -> list[str]:
    """Restore `archive` onto this install; one line per part saying what was restored."""
    env = process_env() if env is None else env
    with tempfile.TemporaryDirectory(prefix="ivr-restore-") as scratch:
        staging = Path(scratch)
        manifest = read_archive(archive, staging)
        settings, settings_target = _target_settings(manifest, staging, config, env)
        saved_database = _database_member(manifest, staging, settings.database.url)
        parts = _parts(manifest, staging, settings, settings_target)
        _check_conflicts(parts, force)
        _check_database_empty(settings, force)
        lines = [_restore_database(saved_database, settings)]
        try:
            for part in parts:
                for staged, target in part.files:
                    _write(staged, target)
                lines.append(f"settings: {part.files[0][1]} restored" if part.label == "settings"
                             else f"{part.label}: {len(part.files)} file(s) restored into "
                             f"{part.folder}{part.note}")
        except OSError as err:
            raise BackupError(f"the database was restored but not every file: {err}") from err
    for label in ("flow", "recorded prompts", "settings"):
        if not any(line.startswith(f"{label}:") for line in lines):
            lines.append(f"{label}: none in the archive")
    return lines
