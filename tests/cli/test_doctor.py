"""`ivr doctor` with real components: a real SQLite file, real espeak-ng, the real Korean Vosk
model (no French model on test machines: a non-French model is a warning), real sockets, and
the real Asterisk sandbox for the AMI and dialplan checks."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dialogs.loader import check_flow
from ivr.config import ServiceSettings, load_settings
from ivr.doctor import CHECKS, Check, CheckResult, machine, ports, storage
from ivr.doctor import asterisk as ami_checks
from ivr.doctor.machine import (
    DISK_FAILURE_BYTES,
    DISK_WARNING_BYTES,
    allocator_result,
    disk_result,
)
from ivr.storage.database import Database, DatabaseSettings
from tests.asterisk_fixture import AsteriskSandbox, free_port
from tests.cli.conftest import run
from tests.speech.conftest import KO_MODEL_DIR

Config = Callable[..., Path]


@pytest.fixture
def migrated(db_url: str) -> str:
    database = Database(DatabaseSettings.from_environment({"IVR_DATABASE_URL": db_url}))
    database.upgrade()
    database.dispose()
    return db_url


@pytest.fixture
def config(tmp_path: Path, db_url: str) -> Config:
    """config(ami=..., audiosocket_port=..., flow=...): a settings file for the doctor, on
    free ports, the Korean model, and the test's database (IVR_DATABASE_URL)."""

    def write(*, ami: AsteriskSandbox | None = None, secret: str | None = None,
              audiosocket_port: int | None = None, flow: Path | None = None,
              web_port: int | None = None) -> Path:
        service = [f'data_dir = "{tmp_path / "data"}"', f"web_port = {web_port or free_port()}"]
        if flow is not None:
            service.append(f'flow = "{flow}"')
        ami_table = ""
        if ami is None:
            service.append("ami_enabled = false")
        else:
            ami_table = (f'[ami]\nhost = "127.0.0.1"\nport = {ami.ami_port}\n'
                         f'secret = "{secret if secret is not None else ami.ami_secret}"\n')
        port = audiosocket_port or (ami.audiosocket_port if ami else free_port())
        path = tmp_path / "standardiste.toml"
        path.write_text("[service]\n" + "\n".join(service) + "\n"
                        f"[audiosocket]\nport = {port}\n"
                        f'[speech]\nvosk_model = "{KO_MODEL_DIR}"\n' + ami_table)
        return path

    return write


def lines_of(out: str) -> dict[str, str]:
    """Check name -> its printed line."""
    found = {}
    for line in out.splitlines()[1:]:
        name = line[10:].split(" : ", 1)[0]
        found[name] = line
    return found


def settings_of(path: Path) -> ServiceSettings:
    return load_settings(path)


@pytest.mark.asterisk
def test_a_good_install_exits_0_with_ok_lines(
    asterisk: AsteriskSandbox, config: Config, migrated: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "doctor", "--config", str(config(ami=asterisk)))
    lines = lines_of(out)
    assert code == 0, out
    assert [check.name for check in CHECKS] == list(lines)
    for name in (machine.VOICE, storage.DATABASE, ami_checks.AMI, ami_checks.DIALPLAN,
                 ports.AUDIOSOCKET, ports.WEB, storage.FLOW, machine.DISK, machine.ALLOCATOR):
        assert lines[name].startswith("OK "), lines[name]
    assert "roa/fr" in lines[machine.VOICE]
    assert f"127.0.0.1:{asterisk.ami_port}" in lines[ami_checks.AMI]
    assert f"127.0.0.1:{asterisk.audiosocket_port}" in lines[ami_checks.DIALPLAN]
    # the Korean model loads, but it is not a French one
    assert lines[machine.MODEL].startswith("ATTENTION "), lines[machine.MODEL]
    assert "pas un modèle français" in lines[machine.MODEL]
    assert str(KO_MODEL_DIR) in lines[machine.MODEL]


@pytest.mark.asterisk
def test_a_wrong_ami_secret_is_refused_by_the_real_asterisk(
    asterisk: AsteriskSandbox, config: Config, migrated: str
) -> None:
    settings = settings_of(config(ami=asterisk, secret="wrong-" + asterisk.ami_secret))
    ami, dialplan = (check.run(settings) for check in CHECKS if check.name in (
        ami_checks.AMI, ami_checks.DIALPLAN))
    assert ami.verdict.value == "ÉCHEC"
    assert "secret refusé" in ami.found
    assert "[ami] secret" in ami.fix
    assert dialplan.verdict.value == "ATTENTION"  # cannot be checked, said once in AMI's line


@pytest.mark.asterisk
def test_a_dialplan_dialing_another_port_than_ours_fails(
    asterisk: AsteriskSandbox, config: Config, migrated: str
) -> None:
    ours = free_port()
    settings = settings_of(config(ami=asterisk, audiosocket_port=ours))
    result = ami_checks.check_dialplan(settings)
    assert result.verdict.value == "ÉCHEC", result.line()
    assert f"127.0.0.1:{asterisk.audiosocket_port}" in result.found
    assert f"127.0.0.1:{ours}" in result.found
    assert "standardiste-settings-local" in result.fix


@pytest.mark.asterisk
def test_the_dialplan_address_is_tried_when_something_listens_there(
    asterisk: AsteriskSandbox, config: Config, migrated: str
) -> None:
    settings = settings_of(config(ami=asterisk))
    with socket.create_server(("127.0.0.1", asterisk.audiosocket_port)):
        result = ami_checks.check_dialplan(settings)
    assert result.verdict.value == "OK", result.line()
    assert "joignable" in result.found


def test_an_unmigrated_database_fails_with_the_upgrade_command(
    config: Config, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sqlite3.connect(db_url.removeprefix("sqlite:///")).close()  # a real, empty database file
    code, out, _ = run(capsys, "doctor", "--config", str(config()))
    line = lines_of(out)[storage.DATABASE]
    assert code == 1
    assert line.startswith("ÉCHEC ")
    assert "non migrée" in line and "ivr db upgrade" in line
    assert lines_of(out)[ami_checks.AMI].startswith("ATTENTION ")  # disabled: a warning only


def test_a_missing_database_file_is_reported_not_created(config: Config, db_url: str) -> None:
    result = storage.check_database(settings_of(config()))
    assert result.verdict.value == "ÉCHEC" and "ivr db upgrade" in result.fix
    assert not Path(db_url.removeprefix("sqlite:///")).exists()


def test_taken_ports_are_reported(config: Config, migrated: str) -> None:
    audio, web = free_port(), free_port()
    settings = settings_of(config(audiosocket_port=audio, web_port=web))
    with socket.create_server(("127.0.0.1", audio)), socket.create_server(("127.0.0.1", web)):
        audio_result = ports.check_audiosocket_port(settings)
        web_result = ports.check_web_port(settings)
    assert audio_result.verdict.value == "ÉCHEC", audio_result.line()
    assert f"127.0.0.1:{audio}" in audio_result.found and "pas par standardiste" in \
        audio_result.found
    assert web_result.verdict.value == "ATTENTION", web_result.line()
    assert "autre programme" in web_result.found and f":{web}" in web_result.fix
    free = ports.check_web_port(settings)  # closed again: free
    assert free.verdict.value == "OK" and "libre" in free.found


def test_a_broken_flow_fails_with_the_loaders_message(
    tmp_path: Path, config: Config, migrated: str, capsys: pytest.CaptureFixture[str]
) -> None:
    flow = tmp_path / "cassé.yaml"
    flow.write_text("name: mairie\nstart: accueil\nnodes:\n  accueil:\n    type: nowhere\n")
    _, issues = check_flow(flow)
    assert issues
    code, out, _ = run(capsys, "doctor", "--config", str(config(flow=flow)))
    line = lines_of(out)[storage.FLOW]
    assert code == 1
    assert line.startswith("ÉCHEC ") and str(flow) in line
    assert issues[0].message in line
    assert f"ivr check-flow {flow}" in line


def _raises(_settings: ServiceSettings) -> CheckResult:
    raise RuntimeError("une panne imprévue")


def _hangs(_settings: ServiceSettings) -> CheckResult:
    time.sleep(10)
    raise AssertionError("never reached")


def test_a_check_that_raises_or_hangs_is_a_failure_line_and_the_others_still_run(
    config: Config, migrated: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from ivr.cli.doctor import doctor

    settings = settings_of(config())
    checks = [Check("panne", _raises), Check("bloqué", _hangs, timeout_s=0.3),
              *(check for check in CHECKS if check.name in (machine.VOICE, storage.DATABASE))]
    started = time.monotonic()
    code = doctor(settings, checks)
    lines = lines_of(capsys.readouterr().out)
    assert time.monotonic() - started < 8
    assert code == 1
    assert lines["panne"].startswith("ÉCHEC ") and "RuntimeError: une panne imprévue" in \
        lines["panne"]
    assert lines["bloqué"].startswith("ÉCHEC ") and "pas de réponse en 0.3 s" in lines["bloqué"]
    assert lines[machine.VOICE].startswith("OK ")
    assert lines[storage.DATABASE].startswith("OK ")


def test_an_unknown_voice_and_zone_are_reported(tmp_path: Path, db_url: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[speech]\nvoice = "en"\n[service]\ntimezone = "Europe/Nulle-Part"\n')
    settings = load_settings(path)
    voice, clock = machine.check_voice(settings), machine.check_clock(settings)
    assert voice.verdict.value == "ÉCHEC" and "roa/fr" in voice.found
    assert clock.verdict.value == "ÉCHEC" and "Europe/Nulle-Part" in clock.found
    path.write_text('[service]\ntimezone = "America/Cayenne"\n')
    assert machine.check_clock(load_settings(path)).verdict.value == "ATTENTION"


def test_disk_space_thresholds() -> None:
    where = Path("/srv")
    assert disk_result(where, DISK_FAILURE_BYTES - 1).verdict.value == "ÉCHEC"
    assert disk_result(where, DISK_WARNING_BYTES - 1).verdict.value == "ATTENTION"
    assert disk_result(where, DISK_WARNING_BYTES).verdict.value == "OK"


def test_the_allocator_line_says_what_serve_will_run_on() -> None:
    missing = allocator_result("jemalloc", None)
    assert missing.verdict.value == "ATTENTION" and "apt-get install libjemalloc2" in missing.line()
    library = Path("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2")
    assert allocator_result("jemalloc", library).verdict.value == "OK"
    assert str(library) in allocator_result("jemalloc", library).line()
    assert "system" in allocator_result("system", None).line()


@pytest.fixture(autouse=True)
def _no_env_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The developer's own IVR_* settings must not leak into these checks."""
    for name in ("IVR_CONFIG", "IVR_VOSK_MODEL", "IVR_TTS_VOICE", "IVR_AMI_SECRET"):
        monkeypatch.delenv(name, raising=False)
    yield


async def test_ports_held_by_a_running_standardiste_are_recognised(
    tmp_path: Path, migrated: str
) -> None:
    from ivr.service import Service

    path = tmp_path / "running.toml"
    path.write_text(f'[service]\ndata_dir = "{tmp_path / "data"}"\nweb_port = {free_port()}\n'
                    f"ami_enabled = false\n[session]\nkeypad_only = true\n"
                    f"[audiosocket]\nport = {free_port()}\n")
    settings = load_settings(path)
    service = Service(settings)
    await service.start()
    try:
        audio = await asyncio.to_thread(ports.check_audiosocket_port, settings)
        web = await asyncio.to_thread(ports.check_web_port, settings)
    finally:
        await service.close()
    assert audio.verdict.value == "OK" and "utilisé par standardiste" in audio.found, audio
    assert web.verdict.value == "OK" and "utilisé par standardiste" in web.found, web


def test_the_flow_line_names_the_published_version(
    config: Config, migrated: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_of(config())
    assert "publiée" not in storage.check_flow(settings).found  # nothing stored yet
    run(capsys, "flows", "import")
    assert "aucune version de 'mairie' publiée" in storage.check_flow(settings).found
    run(capsys, "flows", "import", "--publish")
    result = storage.check_flow(settings)
    assert result.verdict.value == "OK"
    assert "version 2 de 'mairie' publiée dans la base" in result.found
