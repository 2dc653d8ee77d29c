"""Downloading and installing Vosk model archives, checked before anything is unpacked.

`download_model` reads `<base_url>/model-list.json` (alphacephei.com publishes each model's
size in bytes and MD5 there), streams `<base_url>/<name>.zip` into a hidden work folder inside
the models directory, checks the byte count and MD5, unpacks within `UnpackLimits` (member
names, declared and actual sizes, compression ratios, CRCs: `speech.model_archive`), and
only then renames the model folder into place. On any failure the work folder is removed:
nothing half-downloaded or half-unpacked is ever left where models are looked for.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from speech.errors import ModelDownloadFailed
from speech.model_archive import DEFAULT_LIMITS, UnpackLimits, unpack
from speech.models import is_model_dir

Progress = Callable[[int, int | None], None]
"""Called with (bytes received so far, total bytes or None) while an archive downloads."""

_CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class ArchiveInfo:
    """What model-list.json says about one archive."""

    name: str
    size: int | None
    """Archive size, bytes (None when the list does not give a usable one)."""
    md5: str
    """Hex MD5 of the archive."""


def _no_progress(done: int, total: int | None) -> None:
    return None


def _get(url: str, timeout_s: float) -> Any:
    try:
        return urllib.request.urlopen(url, timeout=timeout_s)
    except (OSError, http.client.HTTPException, ValueError) as err:
        raise ModelDownloadFailed(f"cannot fetch {url}: {err}") from err


def archive_info(base_url: str, name: str, timeout_s: float = 30.0) -> ArchiveInfo:
    """Look up `name` in `<base_url>/model-list.json`."""
    url = f"{base_url.rstrip('/')}/model-list.json"
    try:
        with _get(url, timeout_s) as response:
            entries = json.loads(response.read().decode("utf-8"))
        for entry in entries:
            if entry.get("name") == name:
                size = str(entry.get("size", ""))
                md5 = str(entry["md5"]).lower()
                if len(md5) != 32:
                    raise ValueError(f"MD5 {md5!r} of {name} is not 32 hex digits")
                return ArchiveInfo(name, int(size) if size.isdigit() else None, md5)
    except (OSError, http.client.HTTPException, ValueError, KeyError, TypeError) as err:
        raise ModelDownloadFailed(f"{url} is not a usable model list: {err}") from err
    raise ModelDownloadFailed(f"{url} does not list the model {name}")


def download_model(
    name: str,
    models_dir: Path,
    base_url: str,
    *,
    timeout_s: float = 30.0,
    progress: Progress = _no_progress,
    force: bool = False,
    limits: UnpackLimits = DEFAULT_LIMITS,
) -> Path:
    """Download, check and unpack the model `name` (within `limits`); return its folder in
    `models_dir`."""
    target = models_dir / name
    if is_model_dir(target) and not force:
        return target
    info = archive_info(base_url, name, timeout_s)
    models_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".download-{name}-", dir=models_dir))
    try:
        archive = work / f"{name}.zip"
        _fetch(f"{base_url.rstrip('/')}/{name}.zip", archive, info, timeout_s, progress)
        return _install(archive, models_dir, name, work, replace=force, limits=limits)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def install_archive(archive: Path, models_dir: Path, *, replace: bool = False,
                    limits: UnpackLimits = DEFAULT_LIMITS) -> Path:
    """Unpack a model archive already on disk (copied by hand to an offline machine), within
    `limits`."""
    name = archive.name.removesuffix(".zip")
    models_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".install-{name}-", dir=models_dir))
    try:
        return _install(archive, models_dir, name, work, replace=replace, limits=limits)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fetch(url: str, dest: Path, info: ArchiveInfo, timeout_s: float, progress: Progress) -> None:
    digest = hashlib.md5(usedforsecurity=False)
    done = 0
    with _get(url, timeout_s) as response, dest.open("wb") as out:
        length = response.headers.get("Content-Length")
        announced = int(length) if length and length.isdigit() else None
        total = announced if announced is not None else info.size
        progress(0, total)
        try:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                progress(done, total)
        except (OSError, http.client.HTTPException) as err:
            raise ModelDownloadFailed(f"download of {url} broke after {done} bytes: {err}") from err
    for expected in (announced, info.size):
        if expected is not None and done != expected:
            raise ModelDownloadFailed(
                f"download of {url} stopped at {done} of {expected} bytes; nothing was installed"
            )
    if digest.hexdigest() != info.md5:
        raise ModelDownloadFailed(
            f"{url}: MD5 {digest.hexdigest()} differs from the published {info.md5}; "
            "the archive is corrupt and was not installed"
        )


def _install(archive: Path, models_dir: Path, name: str, work: Path, *, replace: bool,
             limits: UnpackLimits) -> Path:
    target = models_dir / name
    if target.exists() and not replace:
        raise ModelDownloadFailed(f"{target} already exists (use --force to replace it)")
    unpacked = work / "unpacked"
    unpack(archive, unpacked, name, limits)
    if not is_model_dir(unpacked / name):
        raise ModelDownloadFailed(f"{archive.name} does not hold a Vosk model (no {name}/am/)")
    if target.exists():
        shutil.move(target, work / "previous")
    (unpacked / name).rename(target)
    return target
