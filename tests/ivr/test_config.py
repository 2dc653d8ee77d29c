"""Settings: embedded defaults, the TOML file, IVR_* overrides, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import ConfigError, load_settings

HOME = {"HOME": "/home/mairie"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "standardiste.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_work_on_one_machine(tmp_path: Path) -> None:
    settings = load_settings(None, HOME)
    assert settings.source is None
    assert (settings.audiosocket.host, settings.audiosocket.port) == ("127.0.0.1", 9092)
    assert (settings.service.web_host, settings.service.web_port) == ("127.0.0.1", 8080)
    assert (settings.ami.host, settings.ami.port) == ("127.0.0.1", 5038)
    assert settings.database.url == (
        "sqlite:////home/mairie/.local/share/standardiste/standardiste.db")
    assert settings.service.flow is None  # the town-hall flow
    assert settings.public_url == "http://127.0.0.1:8080"
    assert settings.transfer.context == "standardiste-transfer"


def test_the_file_then_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, """
[service]
flow = "/srv/flows/mairie.yaml"
public_url = "https://standard.mairie.example/"
shutdown_deadline_s = 20

[audiosocket]
port = 9100

[ami]
secret = "s3cret"

[transfer]
routes = { urbanisme = "101", etat_civil = "queue:etat-civil" }

[session]
barge_in_ms = 250
keypad_only = true

[speech]
vosk_model = "/srv/models/vosk-model-small-fr-0.22"
voice = "roa/fr-be"

[database]
url = "postgresql+psycopg://standardiste@127.0.0.1/standardiste"
""")
    env = {**HOME, "IVR_AUDIOSOCKET_PORT": "9200", "IVR_TTS_VOICE": "roa/fr-ch",
           "IVR_SESSION_KEYPAD_ONLY": "false", "IVR_TRANSFER_ROUTES": "accueil=102"}
    settings = load_settings(path, env)
    assert settings.source == path
    assert settings.service.flow == Path("/srv/flows/mairie.yaml")
    assert settings.public_url == "https://standard.mairie.example"
    assert settings.service.shutdown_deadline_s == 20.0
    assert settings.audiosocket.port == 9200  # the environment wins
    assert settings.ami.secret == "s3cret" and "s3cret" not in repr(settings.ami)
    assert settings.transfer.routes == {"accueil": "102"}
    assert settings.session.barge_in_ms == 250.0 and settings.session.keypad_only is False
    assert settings.speech.vosk_model == Path("/srv/models/vosk-model-small-fr-0.22")
    assert settings.speech.voice == "roa/fr-ch"
    assert settings.database.url.startswith("postgresql+psycopg://")


def test_ivr_config_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[audiosocket]\nport = 9300\n")
    assert load_settings(None, {**HOME, "IVR_CONFIG": str(path)}).audiosocket.port == 9300


def test_trusted_proxies_are_none_by_default_and_read_from_the_file_or_environment(
    tmp_path: Path
) -> None:
    assert load_settings(None, HOME).web.trusted_proxies == ()
    path = write(tmp_path, "[web]\ntrusted_proxies = ['127.0.0.1', '10.0.0.0/8']\n")
    assert load_settings(path, HOME).web.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    env = {**HOME, "IVR_WEB_TRUSTED_PROXIES": "192.0.2.1, ::1"}
    assert load_settings(path, env).web.trusted_proxies == ("192.0.2.1", "::1")


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("[audiosocket]\nprot = 1\n", {}, "[audiosocket]: unknown key(s) prot"),
        ("[telephone]\nport = 1\n", {}, "unknown section(s) telephone"),
        ("[audiosocket]\nport = 'neuf'\n", {}, "[audiosocket] port: 'neuf' is not a valid int"),
        ("[session]\nkeypad_only = 'peut-être'\n", {}, "use true or false"),
        ("[audiosocket\nport = 1\n", {}, "invalid TOML"),
        ("", {"IVR_AUDIOSOCKET_PORT": "x"}, "IVR_AUDIOSOCKET_PORT: 'x' is not a valid int"),
        ("", {"IVR_TTS_RATE": "-3"}, "IVR_TTS_RATE='-3' must be positive"),
        ("[speech]\nvoix = 'x'\n", {}, "[speech]: unknown key(s) voix"),
        ("", {"IVR_TRANSFER_ROUTES": "accueil"}, "KEY=VALUE"),
        ("[web]\ntrusted_proxies = '127.0.0.1'\n", {}, "expected an array of strings"),
        ("[web]\ntrusted_proxies = ['proxy.mairie.example']\n", {},
         "[web] trusted_proxies: trusted proxy 'proxy.mairie.example' is not an IP address"),
        ("", {"IVR_WEB_TRUSTED_PROXIES": "10.0.0.0/33"}, "'10.0.0.0/33' is not an IP address"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, text: str, env: dict[str, str],
                                message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, text), {**HOME, **env})
    assert message in str(raised.value)
    assert raised.value.code == "config_invalid"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the settings file"):
        load_settings(tmp_path / "absent.toml", HOME)
