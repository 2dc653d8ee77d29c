"""Vosk models on disk: the catalogue of downloadable French models, what is installed, and
which model to use by default.

A model is a folder (`am/`, `conf/`, `graph/`, ...) named like its archive, for example
`vosk-model-small-fr-0.22`, inside `SpeechSettings.models_dir`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from speech.errors import ModelUnavailable
from speech.settings import SpeechSettings


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """A model `ivr models download` knows by a short key."""

    key: str
    name: str
    """Archive and folder name on alphacephei.com (`<name>.zip`)."""
    description: str


CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "fr-small",
        "vosk-model-small-fr-0.22",
        "small French model (about 41 MB, light on CPU, takes phrase-list grammars)",
    ),
    CatalogEntry(
        "fr-big",
        "vosk-model-fr-0.22",
        "large French model (about 1.4 GB, more accurate, needs several GB of RAM, no grammars)",
    ),
)

_NAME = re.compile(
    r"^vosk-model-(?P<small>small-)?(?P<lang>[a-z]{2,3}(?:-[a-z]{2})?)-(?P<ver>[\w.]+)"
)


def catalog_entry(key: str) -> CatalogEntry:
    """The catalogue entry for `key` (fr-small, fr-big); ValueError lists the known keys."""
    for entry in CATALOG:
        if key in (entry.key, entry.name):
            return entry
    raise ValueError(f"unknown model {key!r}; known: {', '.join(e.key for e in CATALOG)}")


@dataclass(frozen=True, slots=True)
class InstalledModel:
    """A model folder found in the models directory."""

    name: str
    path: Path
    lang: str
    """Language code from the folder name ('fr', 'en-us', ...), '' when it has none."""
    small: bool
    """Whether it is a small model (`vosk-model-small-...`)."""
    version: str

    @property
    def size_bytes(self) -> int:
        """Disk space taken by the model's files."""
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())


def is_model_dir(path: Path) -> bool:
    """Whether `path` looks like an unpacked Vosk model."""
    return path.is_dir() and ((path / "am").is_dir() or (path / "final.mdl").exists())


def installed_models(models_dir: Path) -> list[InstalledModel]:
    """Models unpacked in `models_dir`, sorted by name (hidden work folders are skipped)."""
    if not models_dir.is_dir():
        return []
    found = []
    for path in sorted(models_dir.iterdir()):
        if path.name.startswith(".") or not is_model_dir(path):
            continue
        match = _NAME.match(path.name)
        found.append(
            InstalledModel(
                name=path.name,
                path=path,
                lang=match.group("lang") if match else "",
                small=bool(match and match.group("small")),
                version=match.group("ver") if match else "",
            )
        )
    return found


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def best_french_model(models_dir: Path) -> InstalledModel | None:
    """The best French model installed: a large one before a small one, then the newest."""
    french = [m for m in installed_models(models_dir) if m.lang.split("-")[0] == "fr"]
    if not french:
        return None
    return max(french, key=lambda m: (not m.small, _version_key(m.version)))


def model_path(settings: SpeechSettings) -> Path:
    """The model folder to load: IVR_VOSK_MODEL if set, else the best French model installed.

    Raises `ModelUnavailable` with what to do when there is none (the service then falls back
    to keypad menus).
    """
    if settings.vosk_model is not None:
        if not settings.vosk_model.is_dir():
            raise ModelUnavailable(
                f"IVR_VOSK_MODEL points to {settings.vosk_model}, which is not a folder"
            )
        return settings.vosk_model
    best = best_french_model(settings.models_dir)
    if best is None:
        raise ModelUnavailable(
            f"no French Vosk model in {settings.models_dir}: run `ivr models download fr-small` "
            "(or set IVR_VOSK_MODEL to a model folder); speech recognition is off until then"
        )
    return best.path
