"""Reading the settings: a TOML file, then `IVR_*` environment variables on top, then defaults.

Sections and keys: [service], [session], [transfer] (`ivr.config.sections`), [audiosocket]
(`telephony.audiosocket.AudioSocketSettings`), [ami] (`telephony.ami.AmiSettings`), [web]
(`ivr.web.settings.WebSettings`); each key `KEY` of section `SECTION` is overridden by the
environment variable `IVR_SECTION_KEY` (upper case). [speech] and [database] keys map onto the
variables the speech and storage packages already read (`SPEECH_KEYS`, `DATABASE_KEYS`).
Unknown sections or keys, and values of the wrong type, raise `ConfigError` naming them.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from ivr.config.errors import ConfigError

T = TypeVar("T")

SPEECH_KEYS: dict[str, str] = {
    "vosk_model": "IVR_VOSK_MODEL",
    "models_dir": "IVR_MODELS_DIR",
    "voice": "IVR_TTS_VOICE",
    "rate_wpm": "IVR_TTS_RATE",
    "synthesis_timeout_s": "IVR_TTS_TIMEOUT",
    "prompt_cache_dir": "IVR_PROMPT_CACHE",
    "prompt_cache_mb": "IVR_PROMPT_CACHE_MB",
    "recorded_prompts_dir": "IVR_PROMPTS_DIR",
    "decoder_workers": "IVR_DECODER_WORKERS",
    "decoders": "IVR_DECODERS",
    "warm_decoders": "IVR_WARM_DECODERS",
}
"""[speech] key -> the environment variable of `speech.settings.SpeechSettings` it sets."""
DATABASE_KEYS: dict[str, str] = {"url": "IVR_DATABASE_URL"}
"""[database] key -> the environment variable of `ivr.storage.database.DatabaseSettings`."""


def read_toml(path: Path) -> dict[str, Any]:
    """The file's tables; `ConfigError` for an unreadable file or bad TOML (with the line)."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as err:
        raise ConfigError(f"cannot read the settings file {path}: {err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from err


def table(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{name}] must be a table")
    return value


def mapped_env(
    data: Mapping[str, Any], section: str, keys: Mapping[str, str], env: Mapping[str, str]
) -> dict[str, str]:
    """The environment with a section's TOML keys under their variable names (env wins)."""
    values = table(data, section)
    unknown = sorted(set(values) - set(keys))
    if unknown:
        raise ConfigError(f"[{section}]: unknown key(s) {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(keys))}")
    merged = {keys[key]: str(value) for key, value in values.items()}
    merged.update(env)
    return merged


def build_section(cls: type[T], data: Mapping[str, Any], name: str, env: Mapping[str, str]) -> T:
    """A settings dataclass from TOML table `name`, each key overridden by IVR_NAME_KEY."""
    values = table(data, name)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ConfigError(f"[{name}]: unknown key(s) {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(fields))}")
    kwargs: dict[str, Any] = {}
    for key in fields:
        variable = f"IVR_{name}_{key}".upper()
        if env.get(variable, "").strip():
            kwargs[key] = convert(hints[key], env[variable].strip(), variable, from_env=True)
        elif key in values:
            kwargs[key] = convert(hints[key], values[key], f"[{name}] {key}", from_env=False)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"[{name}]: {err}") from err


def convert(kind: Any, value: Any, where: str, *, from_env: bool) -> Any:
    """`value` (TOML value, or text from the environment) as type `kind`."""
    optional = False
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        members = [k for k in typing.get_args(kind) if k is not type(None)]
        optional, kind = len(members) < len(typing.get_args(kind)), members[0]
    if optional and value in ("", None):
        return None
    try:
        if kind is bool:
            return _boolean(value)
        if kind in (int, float):
            if isinstance(value, bool):
                raise ValueError("a boolean is not a number")
            number = kind(value)
            return number
        if kind is Path:
            return Path(str(value)).expanduser()
        if kind is str:
            if not isinstance(value, str) and not from_env:
                raise ValueError("expected a string")
            return str(value)
        if typing.get_origin(kind) is tuple:
            return _strings(value, from_env=from_env)
        if typing.get_origin(kind) is dict:
            if from_env:
                return dict(_pair(item) for item in str(value).split(",") if item.strip())
            if not isinstance(value, dict):
                raise ValueError("expected a table")
            return {str(k): str(v) for k, v in value.items()}
    except ValueError as err:
        raise ConfigError(f"{where}: {value!r} is not a valid {_name(kind)}: {err}") from err
    raise ConfigError(f"{where}: unsupported setting type {kind}")


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("use true or false")


def _strings(value: Any, *, from_env: bool) -> tuple[str, ...]:
    """A list of strings: a TOML array, or comma-separated text from the environment."""
    if from_env:
        return tuple(item.strip() for item in str(value).split(",") if item.strip())
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("expected an array of strings")
    return tuple(value)


def _pair(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise ValueError("write KEY=VALUE pairs separated by commas")
    return key.strip(), value.strip()


def _name(kind: Any) -> str:
    return getattr(kind, "__name__", str(kind))


def process_env() -> Mapping[str, str]:
    return os.environ
