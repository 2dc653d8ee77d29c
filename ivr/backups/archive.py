"""The archive itself: a gzip-compressed tar of regular files, `manifest.json` first.

Writing: `ArchiveWriter` adds members from bytes or files (regular files only, mode 0644,
owner 0) to `FILE.partial` (readable by its owner only) and renames it to FILE once complete,
so a failed backup leaves no half archive. Reading: `read_archive` checks every member header
before anything is read (only regular files and folders; no absolute path, no `..`, no link,
no device, no duplicate name, nothing outside the known top-level folders), then the manifest
(ours, a format this code knows, members that are exactly the archive's files), and copies the
members into a staging folder the caller owns. Nothing is ever extracted to a path taken from
the archive.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ivr.backups.errors import ArchiveRefused, BackupError

FORMAT = "standardiste-backup"
FORMAT_VERSION = 1
"""Version of the archive layout this code writes; it reads this one and older ones."""
MANIFEST = "manifest.json"
FOLDERS = ("database", "flow", "prompts", "settings")
"""Top-level folders a member may live in (besides the manifest)."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """What `manifest.json` says: the archive's format and what each member is."""

    format_version: int
    created_at: str
    """ISO 8601 UTC time the backup was made."""
    alembic_revision: str | None
    """Schema revision of the saved database, None for a database never migrated."""
    parts: dict[str, dict[str, Any]]
    """Part name (database, flow, prompts, settings) -> its description; every part lists its
    archive members under `files`."""

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "format_version": self.format_version,
                           "created_at": self.created_at,
                           "alembic_revision": self.alembic_revision, "parts": self.parts},
                          indent=2, ensure_ascii=False).encode("utf-8")

    def files(self) -> set[str]:
        """Every member the parts name."""
        return {name for part in self.parts.values() for name in part.get("files", [])}


class ArchiveWriter:
    """A tar.gz being written to `FILE.partial`; `close()` renames it to FILE."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._partial = path.with_name(path.name + ".partial")
        # Only its owner may read it: it holds call transcripts and the settings' secrets.
        descriptor = os.open(self._partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file = os.fdopen(descriptor, "wb")
        self._tar = tarfile.open(fileobj=self._file, mode="w:gz")  # noqa: SIM115 (close/abort)

    def add_bytes(self, name: str, data: bytes) -> None:
        self._tar.addfile(_info(name, len(data)), io.BytesIO(data))

    def add_file(self, name: str, source: Path) -> None:
        with source.open("rb") as handle:
            self._tar.addfile(_info(name, os.fstat(handle.fileno()).st_size), handle)

    def close(self) -> None:
        self._tar.close()
        self._file.close()
        os.replace(self._partial, self.path)

    def abort(self) -> None:
        self._tar.close()
        self._file.close()
        self._partial.unlink(missing_ok=True)


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o644, int(time.time())
    return info


def member_name(folder: str, relative: PurePosixPath | str) -> str:
    """`folder/relative`, checked the way a restore checks it."""
    name = f"{folder}/{relative}"
    _check_name(name)
    return name


def _check_name(name: str) -> None:
    path = PurePosixPath(name)
    if name.startswith("/") or path.is_absolute() or "\\" in name:
        raise ArchiveRefused(f"member {name!r} has an absolute path")
    if any(part == ".." for part in path.parts):
        raise ArchiveRefused(f"member {name!r} points outside the archive (..)")
    if name != MANIFEST and (len(path.parts) < 2 or path.parts[0] not in FOLDERS):
        raise ArchiveRefused(f"member {name!r} is not part of a standardiste backup")


def _checked_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """The regular files of the archive, after checking every header."""
    files: list[tarfile.TarInfo] = []
    seen: set[str] = set()
    for member in tar.getmembers():
        name = member.name.removeprefix("./").rstrip("/")
        if member.issym() or member.islnk():
            raise ArchiveRefused(f"member {member.name!r} is a link")
        if not (member.isreg() or member.isdir()):
            raise ArchiveRefused(f"member {member.name!r} is not a regular file")
        if member.isdir() and name in ("", "."):
            continue
        _check_name(name)
        if member.isdir():
            continue
        if name in seen:
            raise ArchiveRefused(f"member {name!r} appears twice")
        seen.add(name)
        member.name = name
        files.append(member)
    return files


def _manifest(data: dict[str, Any] | Any, names: set[str]) -> Manifest:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ArchiveRefused("not a standardiste backup (its manifest is not ours)")
    version = data.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ArchiveRefused("not a standardiste backup (no format version)")
    if version > FORMAT_VERSION:
        raise ArchiveRefused(f"the archive's format {version} is newer than this version of "
                             f"standardiste reads ({FORMAT_VERSION}): upgrade it first")
    parts = data.get("parts")
    revision = data.get("alembic_revision")
    if not isinstance(parts, dict) or not all(
            isinstance(p, dict) and isinstance(p.get("files"), list) for p in parts.values()
    ) or not (revision is None or isinstance(revision, str)):
        raise ArchiveRefused("the archive's manifest is malformed")
    for part, description in parts.items():
        if part not in FOLDERS or not all(
                isinstance(f, str) and f.startswith(f"{part}/") for f in description["files"]):
            raise ArchiveRefused(f"the archive's manifest names an unknown part {part!r}")
    manifest = Manifest(format_version=version, created_at=str(data.get("created_at", "")),
                        alembic_revision=revision, parts=parts)
    if manifest.files() != names - {MANIFEST}:
        raise ArchiveRefused("the archive's members do not match its manifest")
    return manifest


def read_archive(path: Path, staging: Path) -> Manifest:
    """Check the archive at `path` and copy its members under `staging` (same names);
    `ArchiveRefused` when it is not one of ours or holds anything unsafe."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = _checked_members(tar)
            by_name = {m.name: m for m in members}
            if MANIFEST not in by_name:
                raise ArchiveRefused(f"{path} is not a standardiste backup (no {MANIFEST})")
            handle = tar.extractfile(by_name[MANIFEST])
            assert handle is not None, "a regular member has content"
            try:
                data = json.loads(handle.read())
            except (UnicodeDecodeError, json.JSONDecodeError) as err:
                raise ArchiveRefused(f"{path}: its {MANIFEST} is not JSON") from err
            manifest = _manifest(data, set(by_name))
            for member in members:
                if member.name == MANIFEST:
                    continue
                target = staging / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None, "a regular member has content"
                with target.open("wb") as out:
                    shutil.copyfileobj(source, out)
            return manifest
    except FileNotFoundError as err:
        raise BackupError(f"no archive {path}") from err
    except (tarfile.TarError, EOFError, zlib.error, OSError) as err:
        if isinstance(err, OSError) and not isinstance(err, tarfile.TarError) and (
                err.errno is not None):
            raise BackupError(f"cannot read {path}: {err.strerror}") from err
        raise ArchiveRefused(f"{path} is not a standardiste backup (not a tar.gz archive)"
                             ) from err
