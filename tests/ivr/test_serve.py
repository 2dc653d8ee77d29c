"""`ivr serve` as the admin runs it: a real process with embedded defaults (ports moved to
free ones), no speech model, no Asterisk, and then no database; /healthz says what is missing;
SIGTERM stops it cleanly."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from ivr.storage import calls
from ivr.storage.database import Database, DatabaseSettings
from ivr.storage.types import utc_now
from tests.asterisk_fixture import free_port
from tests.ivr.serving import ROOT, serve_env


def test_serve_starts_without_model_or_asterisk_and_says_so(start: object) -> None:
    service = start(IVR_AMI_SECRET="a-real-secret")  # type: ignore[operator]
    ready = service.wait_line("standardiste ready")
    assert "AudioSocket on 127.0.0.1:" in ready
    model = service.wait_line("degraded: speech recognition")
    assert "ivr models download fr-small" in model and "keypad" in model
    assert "Asterisk manager unreachable" in service.wait_line("degraded: ami")
    status, health = service.healthz()
    assert status == 503 and health["status"] == "degraded"
    checks = health["checks"]
    assert isinstance(checks, dict)
    assert checks["database"]["ok"] is True
    assert checks["model"]["ok"] is False
    assert "ivr models download" in checks["model"]["detail"]
    assert checks["ami"]["ok"] is False and "callback" in checks["ami"]["detail"]
    assert checks["audiosocket"]["ok"] is True
    service.proc.send_signal(signal.SIGTERM)
    assert service.proc.wait(20) == 0
    service.wait_line("standardiste stopped", 5)


def test_serve_with_no_ami_secret_starts_and_says_how_to_set_it(start: object) -> None:
    service = start()  # type: ignore[operator]  # embedded defaults: no AMI secret yet
    line = service.wait_line("degraded: ami")
    assert "set the AMI secret" in line and "callback" in line
    service.wait_line("standardiste ready")
    status, health = service.healthz()
    checks = health["checks"]
    assert isinstance(checks, dict)
    assert status == 503 and checks["ami"]["ok"] is False
    assert "set the AMI secret" in checks["ami"]["detail"]


def test_serve_without_a_database_still_answers(start: object) -> None:
    closed = free_port()
    service = start(  # type: ignore[operator]
        IVR_DATABASE_URL=f"postgresql+psycopg://nobody:secret@127.0.0.1:{closed}/none")
    line = service.wait_line("degraded: database")
    assert "not recorded" in line and "secret" not in line
    service.wait_line("standardiste ready")
    status, health = service.healthz()
    checks = health["checks"]
    assert isinstance(checks, dict)
    assert status == 503 and checks["database"]["ok"] is False
    service.proc.send_signal(signal.SIGINT)
    assert service.proc.wait(20) == 0


def test_unusable_settings_stop_it_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "standardiste.toml"
    bad.write_text("[session]\nbarge_in_ms = 'vite'\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "ivr", "serve", "--config", str(bad)],
                          cwd=ROOT, env=serve_env(tmp_path), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "[session] barge_in_ms: 'vite' is not a valid float" in done.stderr


def test_a_broken_flow_stops_it_with_the_problems(tmp_path: Path) -> None:
    flow = tmp_path / "flow.yaml"
    flow.write_text("name: x\nstart: nulle_part\nnodes: {}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "ivr", "serve"], cwd=ROOT,
                          env=serve_env(tmp_path, IVR_SERVICE_FLOW=str(flow)),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"the flow {flow} cannot be used" in done.stderr


def test_a_taken_audiosocket_port_stops_it_with_the_reason(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "ivr", "serve"], cwd=ROOT,
                              env=serve_env(tmp_path, IVR_AUDIOSOCKET_PORT=str(port)),
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr


def test_serve_ignores_forwarded_for_from_loopback_by_default(start: object) -> None:
    # uvicorn trusts X-Forwarded-For from 127.0.0.1 unless told not to: each guess below would
    # then count for another address and none would ever be limited.
    service = start()  # type: ignore[operator]
    service.wait_line("standardiste ready")
    url = f"http://127.0.0.1:{service.web_port}/api/session"

    def guess(i: int) -> int:
        body = json.dumps({"username": f"guess{i}", "password": "bad"}).encode()
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "X-Forwarded-For": f"203.0.113.{i + 1}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as err:
            return err.code

    answers = [guess(i) for i in range(4 * 5 + 1)]  # ADDRESS_FACTOR * login_max_failures
    assert answers[:-1] == [401] * 20
    assert answers[-1] == 429  # all counted as 127.0.0.1


@pytest.mark.parametrize(
    ("url", "reason"),
    [("mysql://nobody:Pa55-s3cret@127.0.0.1/none", "unsupported database URL"),
     ("postgresql+psycopg://nobody:Pa55-s3cret@127.0.0.1:abc/none", "the port must be a number")],
)
def test_serve_with_an_unusable_database_url_runs_degraded_without_the_password(
    start: object, url: str, reason: str
) -> None:
    service = start(IVR_DATABASE_URL=url)  # type: ignore[operator]
    line = service.wait_line("degraded: database")
    assert reason in line and "nobody:***@127.0.0.1" in line and "not recorded" in line
    service.wait_line("standardiste ready")
    service.proc.send_signal(signal.SIGTERM)
    assert service.proc.wait(20) == 0
    service.wait_line("standardiste stopped", 5)
    assert not any("Pa55-s3cret" in text or "Traceback" in text for text in service.lines)


def test_serve_purges_what_is_past_retention_when_it_starts(
    start: object, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "standardiste" / "standardiste.db"  # the XDG default
    database = Database(DatabaseSettings(url=f"sqlite:///{path}"))
    database.upgrade()
    with database.transaction() as s:
        old = calls.start_call(s, "appel-ancien", "0612345678",
                               started_at=utc_now() - timedelta(days=31))
        calls.add_turn(s, old.id, "caller", "je voudrais un acte de naissance")
        calls.start_call(s, "appel-recent", "0612345678", started_at=utc_now())
    service = start(IVR_AMI_SECRET="a-real-secret")  # type: ignore[operator]
    service.wait_line("standardiste ready")
    line = service.wait_line("retention purge: ")
    assert "calls=1" in line and "turns=1" in line
    with database.transaction() as s:
        assert [c.id for c in calls.list_calls(s)] == ["appel-recent"]
    database.dispose()
    service.proc.send_signal(signal.SIGTERM)
    assert service.proc.wait(20) == 0
