"""`ivr models`: list the installed Vosk models, download a French one, install an archive.

ivr models list
ivr models download fr-small        (or fr-big; --force replaces an installed copy)
ivr models install vosk-model-small-fr-0.22.zip   (an archive copied by hand)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from speech.download import download_model, install_archive
from speech.errors import SpeechError
from speech.models import CATALOG, best_french_model, catalog_entry, installed_models
from speech.settings import SpeechSettings


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "models", help="list, download or install Vosk speech-recognition models"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="show the installed models and the default one")
    listing.set_defaults(func=list_models)
    download = actions.add_parser("download", help="download and unpack an official model")
    download.add_argument("model", choices=[e.key for e in CATALOG], help="which model")
    download.add_argument("--force", action="store_true", help="replace an installed copy")
    download.set_defaults(func=download_command)
    install = actions.add_parser("install", help="unpack a model archive already on disk")
    install.add_argument("archive", help="path of a vosk-model-*.zip file")
    install.add_argument("--force", action="store_true", help="replace an installed copy")
    install.set_defaults(func=install_command)


def list_models(args: argparse.Namespace) -> int:
    settings = SpeechSettings.from_env()
    models = installed_models(settings.models_dir)
    best = best_french_model(settings.models_dir)
    print(f"models directory: {settings.models_dir}")
    if settings.vosk_model is not None:
        print(f"IVR_VOSK_MODEL: {settings.vosk_model} (used instead of the default)")
    if not models:
        print("no model installed; try: ivr models download fr-small")
    for model in models:
        mark = "*" if best is not None and model.path == best.path else " "
        size_mb = model.size_bytes / 1e6
        print(f"{mark} {model.name:32} {model.lang or '?':6} {size_mb:8.1f} MB")
    if best is not None:
        print("* default French model")
    return 0


class _Bar:
    """A text progress bar on stderr."""

    def __init__(self) -> None:
        self._shown = -1

    def __call__(self, done: int, total: int | None) -> None:
        if total:
            percent = min(100, done * 100 // total)
            if percent != self._shown:
                self._shown = percent
                filled = "#" * (percent // 4)
                sys.stderr.write(f"\r[{filled:25}] {percent:3}% {done / 1e6:8.1f} MB")
        else:
            sys.stderr.write(f"\r{done / 1e6:8.1f} MB")
        sys.stderr.flush()


def download_command(args: argparse.Namespace) -> int:
    settings = SpeechSettings.from_env()
    entry = catalog_entry(args.model)
    print(f"{entry.name}: {entry.description}")
    try:
        path = download_model(
            entry.name,
            settings.models_dir,
            settings.model_base_url,
            timeout_s=settings.download_timeout_s,
            progress=_Bar(),
            force=args.force,
        )
    except SpeechError as err:
        print(f"\nivr models download: {err}", file=sys.stderr)
        return 1
    print(f"\ninstalled in {path}")
    return 0


def install_command(args: argparse.Namespace) -> int:
    settings = SpeechSettings.from_env()
    try:
        path = install_archive(Path(args.archive), settings.models_dir, replace=args.force)
    except (SpeechError, FileNotFoundError) as err:
        print(f"ivr models install: {err}", file=sys.stderr)
        return 1
    print(f"installed in {path}")
    return 0
