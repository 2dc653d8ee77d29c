"""The service's settings: built once at start-up by `load_settings` and passed down.

Precedence: an `IVR_*` environment variable, then the TOML settings file, then the default.
The file is `--config PATH`, else `$IVR_CONFIG`, else /etc/standardiste/standardiste.toml when
it exists; with none, the embedded defaults work on one machine (AudioSocket 127.0.0.1:9092,
web 127.0.0.1:8080, AMI 127.0.0.1:5038, SQLite in the data folder, the town-hall flow).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ivr.config.errors import ConfigError
from ivr.config.load import (
    DATABASE_KEYS,
    SPEECH_KEYS,
    build_section,
    mapped_env,
    process_env,
    read_toml,
)
from ivr.config.sections import ServiceSection, SessionSection, TransferSection
from ivr.storage.database import DatabaseSettings
from ivr.web.client_address import parse_proxies
from ivr.web.settings import WebSettings
from speech.errors import SettingsInvalid
from speech.settings import SpeechSettings, data_home
from telephony.ami import AmiSettings
from telephony.audiosocket import AudioSocketSettings

DEFAULT_CONFIG = Path("/etc/standardiste/standardiste.toml")
"""Settings file read when none is named and it exists."""
SECTIONS = ("service", "session", "transfer", "audiosocket", "ami", "web", "speech", "database")

__all__ = ["DEFAULT_CONFIG", "ConfigError", "ServiceSettings", "load_settings"]


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    """Everything the running service needs to know, by section."""

    service: ServiceSection = field(default_factory=ServiceSection)
    session: SessionSection = field(default_factory=SessionSection)
    transfer: TransferSection = field(default_factory=TransferSection)
    audiosocket: AudioSocketSettings = field(default_factory=AudioSocketSettings)
    ami: AmiSettings = field(default_factory=AmiSettings)
    web: WebSettings = field(default_factory=WebSettings)
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    database: DatabaseSettings = field(
        default_factory=lambda: DatabaseSettings.from_environment({})
    )
    source: Path | None = None
    """The settings file read, None when only defaults and the environment were used."""

    @property
    def data_dir(self) -> Path:
        """The service's data folder ([service] data_dir, set by `load_settings`)."""
        return self.service.data_dir or data_home(process_env())

    @property
    def public_url(self) -> str:
        """Base URL of the back office, without a trailing slash."""
        s = self.service
        return (s.public_url or f"http://{s.web_host}:{s.web_port}").rstrip("/")


def config_path(explicit: Path | None, env: Mapping[str, str]) -> Path | None:
    """The settings file to read: explicit, $IVR_CONFIG, or the default one if it exists."""
    if explicit is not None:
        return explicit
    named = env.get("IVR_CONFIG", "").strip()
    if named:
        return Path(named).expanduser()
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def load_settings(
    path: Path | None = None, env: Mapping[str, str] | None = None
) -> ServiceSettings:
    """Read the settings file (if any) and the environment; `ConfigError` names what is wrong."""
    env = process_env() if env is None else env
    source = config_path(path, env)
    data: dict[str, Any] = read_toml(source) if source is not None else {}
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"unknown section(s) {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
    try:
        speech = SpeechSettings.from_env(mapped_env(data, "speech", SPEECH_KEYS, env))
    except SettingsInvalid as err:
        raise ConfigError(f"[speech]: {err}") from err
    web = build_section(WebSettings, data, "web", env)
    try:
        parse_proxies(web.trusted_proxies)
    except ValueError as err:
        raise ConfigError(f"[web] trusted_proxies: {err}") from err
    service = build_section(ServiceSection, data, "service", env)
    if service.data_dir is None:
        service = replace(service, data_dir=data_home(env))
    return ServiceSettings(
        service=service,
        session=build_section(SessionSection, data, "session", env),
        transfer=build_section(TransferSection, data, "transfer", env),
        audiosocket=build_section(AudioSocketSettings, data, "audiosocket", env),
        ami=build_section(AmiSettings, data, "ami", env),
        web=web,
        speech=speech,
        database=DatabaseSettings.from_environment(
            mapped_env(data, "database", DATABASE_KEYS, env)
        ),
        source=source,
    )
