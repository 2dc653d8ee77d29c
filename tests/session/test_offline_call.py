"""`ivr call`: a whole call from a caller recording, through the real AudioSocket framing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from speech.convert import samples_of, silence
from speech.wav import read_wav, write_wav
from tests.session.conftest import unasked_town_hall_flow

ROOT = Path(__file__).resolve().parents[2]


def ivr_call(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IVR_")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    return subprocess.run([sys.executable, "-m", "ivr", "call", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_keypad_call_from_a_recording(tmp_path: Path) -> None:
    caller = tmp_path / "caller.wav"
    write_wav(caller, silence(1000, 8000))
    out = tmp_path / "conversation.wav"
    flow = unasked_town_hall_flow(tmp_path / "flow")
    done = ivr_call(tmp_path, str(caller), "--dtmf", "1.5=1", "--dtmf", "6=2", "--flow", str(flow),
                    "--now", "2026-05-12T10:00", "--out", str(out))
    assert done.returncode == 0, done.stderr
    call = json.loads(done.stdout)
    assert call["outcome"] == "resolved" and call["keypad_only"] is True
    caller_turns = [t["text"] for t in call["turns"] if t["speaker"] == "caller"]
    assert caller_turns == ["[touches 1]", "[touches 2]"]
    assert "L'accueil de la mairie est ouvert" in call["turns"][2]["text"]
    conversation = read_wav(out)
    assert conversation.channels == 2 and conversation.rate == 8000
    pcm = samples_of(conversation).reshape(-1, 2)
    assert np.abs(pcm[:, 0]).max() == 0  # the caller said nothing
    assistant = np.abs(pcm[:, 1]).reshape(-1, 160).max(axis=1)
    assert (assistant > 500).sum() * 0.02 > 3.0  # seconds of the assistant speaking
    assert abs(conversation.duration - call["seconds"]) < 0.1


def test_bad_input_is_refused_clearly(tmp_path: Path) -> None:
    missing = ivr_call(tmp_path, str(tmp_path / "absent.wav"))
    assert missing.returncode == 1 and "absent.wav" in missing.stderr
    (tmp_path / "not.wav").write_text("bonjour", encoding="utf-8")
    garbage = ivr_call(tmp_path, str(tmp_path / "not.wav"))
    assert garbage.returncode == 1 and "ivr call:" in garbage.stderr
    bad_keys = ivr_call(tmp_path, str(tmp_path / "not.wav"), "--dtmf", "soon=1")
    assert bad_keys.returncode == 1 and "SECONDS=DIGITS" in bad_keys.stderr
