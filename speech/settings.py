"""Settings of the speech package: a frozen dataclass built once at start-up and passed down.

`SpeechSettings.from_env()` reads the `IVR_*` environment variables listed on each field; the
service's configuration file will build the same object later. Paths follow the XDG base
directories: models in `$XDG_DATA_HOME/standardiste/models` (default `~/.local/share/...`),
the synthesised-prompt cache in `$XDG_CACHE_HOME/standardiste/prompts` (default `~/.cache/...`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from speech.errors import SettingsInvalid

DEFAULT_MODEL_BASE_URL = "https://alphacephei.com/vosk/models"


def data_home(env: Mapping[str, str]) -> Path:
    """`$XDG_DATA_HOME/standardiste` (default `~/.local/share/standardiste`)."""
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME", "~")) / ".local" / "share")
    return Path(base).expanduser() / "standardiste"


def cache_home(env: Mapping[str, str]) -> Path:
    """`$XDG_CACHE_HOME/standardiste` (default `~/.cache/standardiste`)."""
    base = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME", "~")) / ".cache")
    return Path(base).expanduser() / "standardiste"


@dataclass(frozen=True, slots=True)
class SpeechSettings:
    """Where models, voices and prompts come from, and how speech engines are run."""

    models_dir: Path = field(default_factory=lambda: data_home(os.environ) / "models")
    """Folder `ivr models download` unpacks into and the default model is looked for in
    (IVR_MODELS_DIR)."""
    vosk_model: Path | None = None
    """Vosk model folder to use (IVR_VOSK_MODEL); None: the best French model installed."""
    model_base_url: str = DEFAULT_MODEL_BASE_URL
    """URL holding `model-list.json` and the model archives (IVR_MODEL_BASE_URL)."""
    download_timeout_s: float = 30.0
    """Network timeout of one read while downloading, seconds (IVR_DOWNLOAD_TIMEOUT)."""
    decoder_workers: int = 2
    """Threads decoding speech for all calls together (IVR_DECODER_WORKERS)."""
    decoders: int = 24
    """Vosk decoders lent at once to calls, all together (IVR_DECODERS). Each warm decoder
    holds tens of MB; past this number an utterance waits for one, its audio kept, and is
    caught up at several times real time."""
    warm_decoders: int = 4
    """Decoders warmed at start-up, in the background, with phrases callers are likely to
    say (IVR_WARM_DECODERS; 0: none): the first calls after a restart answer as fast as
    later ones."""
    voice: str = "roa/fr"
    """espeak-ng voice of synthesised prompts: roa/fr, roa/fr-be or roa/fr-ch (IVR_TTS_VOICE)."""
    speech_rate_wpm: int = 160
    """Speaking rate of synthesised prompts, words per minute (IVR_TTS_RATE)."""
    synthesis_timeout_s: float = 15.0
    """Longest one synthesis may take before its engine is killed, seconds (IVR_TTS_TIMEOUT)."""
    prompt_cache_dir: Path = field(default_factory=lambda: cache_home(os.environ) / "prompts")
    """Disk cache of synthesised prompts (IVR_PROMPT_CACHE)."""
    prompt_cache_max_mb: float = 200.0
    """Size the prompt cache is trimmed to at start-up, megabytes (IVR_PROMPT_CACHE_MB)."""
    recorded_prompts_dir: Path | None = None
    """Folder of recorded prompts named `<prompt_id>.wav` that replace synthesis
    (IVR_PROMPTS_DIR); None: none."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SpeechSettings:
        """Build the settings from `env` (default: the process environment)."""
        env = os.environ if env is None else env

        def path(name: str) -> Path | None:
            value = env.get(name, "").strip()
            return Path(value).expanduser() if value else None

        def number(name: str, default: float, kind: type[int] | type[float]) -> float:
            value = env.get(name, "").strip()
            if not value:
                return default
            try:
                parsed = kind(value)
            except ValueError as err:
                raise SettingsInvalid(f"{name}={value!r} is not a {kind.__name__}") from err
            if parsed <= 0:
                raise SettingsInvalid(f"{name}={value!r} must be positive")
            return parsed

        return cls(
            models_dir=path("IVR_MODELS_DIR") or data_home(env) / "models",
            vosk_model=path("IVR_VOSK_MODEL"),
            model_base_url=env.get("IVR_MODEL_BASE_URL", "").strip() or DEFAULT_MODEL_BASE_URL,
            download_timeout_s=number("IVR_DOWNLOAD_TIMEOUT", 30.0, float),
            decoder_workers=int(number("IVR_DECODER_WORKERS", 2, int)),
            decoders=int(number("IVR_DECODERS", 24, int)),
            warm_decoders=_count(env, "IVR_WARM_DECODERS", 4),
            voice=env.get("IVR_TTS_VOICE", "").strip() or "roa/fr",
            speech_rate_wpm=int(number("IVR_TTS_RATE", 160, int)),
            synthesis_timeout_s=number("IVR_TTS_TIMEOUT", 15.0, float),
            prompt_cache_dir=path("IVR_PROMPT_CACHE") or cache_home(env) / "prompts",
            prompt_cache_max_mb=number("IVR_PROMPT_CACHE_MB", 200.0, float),
            recorded_prompts_dir=path("IVR_PROMPTS_DIR"),
        )


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole number that may be 0 from `env[name]`, else `default`."""
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise SettingsInvalid(f"{name}={value!r} is not a whole number (0 or more)")
    return int(value)
