"""Unpacking a Vosk model zip archive without trusting it: names, sizes and ratios checked.

Every member must sit under `<name>/` (no absolute path, no `..`). Before anything is written,
the sizes the archive declares are checked against `UnpackLimits`: the total unpacked bytes,
and the compression ratio of each large member (a zip bomb packs gigabytes of zeros into
kilobytes). While unpacking, the bytes actually produced are counted too (an archive can lie
about its sizes), and each member's CRC is checked by `zipfile` as it is read. Any failure
raises `ModelDownloadFailed`; the caller unpacks into a work folder it removes afterwards, so
nothing half-unpacked is left. Real French models unpack to about 1.5 to 2.5 GiB.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from speech.errors import ModelDownloadFailed

_CHUNK = 256 * 1024
GIB = 1024 ** 3


@dataclass(frozen=True, slots=True)
class UnpackLimits:
    """How much a model archive may unpack to."""

    max_total_bytes: int = 4 * GIB
    """Most bytes all members together may unpack to (declared and actually written)."""
    max_ratio: float = 200.0
    """Highest unpacked / compressed size of one member larger than `ratio_from_bytes`
    (model files compress a few times; deflate reaches about 1000 on zeros)."""
    ratio_from_bytes: int = 1024 ** 2
    """Members that unpack to at most this many bytes escape the ratio check (small text
    files may compress very well)."""


DEFAULT_LIMITS = UnpackLimits()


def _checked_members(zipped: zipfile.ZipFile, label: str, name: str,
                     limits: UnpackLimits) -> list[zipfile.ZipInfo]:
    members = zipped.infolist()
    for member in members:
        parts = PurePosixPath(member.filename).parts
        if (not parts or parts[0] != name or ".." in parts or member.filename.startswith("/")
                or "\\" in member.filename):
            raise ModelDownloadFailed(
                f"{label}: unexpected member {member.filename!r} (all must be under {name}/)")
    declared = sum(member.file_size for member in members)
    if declared > limits.max_total_bytes:
        raise ModelDownloadFailed(
            f"{label} would unpack to {declared} bytes, more than the limit of "
            f"{limits.max_total_bytes}; it was not installed")
    for member in members:
        if member.file_size <= limits.ratio_from_bytes:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > limits.max_ratio:
            raise ModelDownloadFailed(
                f"{label}: member {member.filename} would unpack {ratio:.0f} times its packed "
                f"size (limit {limits.max_ratio:.0f}); the archive was not installed")
    return members


def unpack(archive: Path, dest: Path, name: str, limits: UnpackLimits) -> None:
    """Unpack the model archive `archive` (members under `name/`) into the folder `dest`."""
    label = archive.name
    written = 0
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in _checked_members(zipped, label, name, limits):
                path = dest.joinpath(*PurePosixPath(member.filename).parts)
                if member.is_dir():
                    path.mkdir(parents=True, exist_ok=True)
                    continue
                path.parent.mkdir(parents=True, exist_ok=True)
                produced = 0
                try:
                    with zipped.open(member) as source, path.open("wb") as out:
                        while chunk := source.read(_CHUNK):
                            produced += len(chunk)
                            written += len(chunk)
                            if produced > member.file_size or written > limits.max_total_bytes:
                                raise ModelDownloadFailed(
                                    f"{label}: member {member.filename} unpacks to more than "
                                    "the archive declares or the limit of "
                                    f"{limits.max_total_bytes} bytes; it was not installed")
                            out.write(chunk)
                except (zipfile.BadZipFile, zlib.error) as err:
                    raise ModelDownloadFailed(
                        f"{label}: member {member.filename} fails its CRC check ({err})"
                    ) from err
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
            NotImplementedError, zlib.error) as err:
        raise ModelDownloadFailed(f"{label} is not a usable zip archive: {err}") from err
