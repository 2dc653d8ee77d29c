"""`ivr eval-asr`: its mechanics without a French model (transcripts, normalisation, WER),
the whole command on real Asterisk French recordings with the Korean model, and the real
score when a French model is configured."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ivr.cli import main
from ivr.cli.eval_asr import SOUNDS, TRANSCRIPTS
from speech.errors import ModelUnavailable
from speech.evaluation import french_number, normalize, parse_transcripts, word_errors
from speech.models import model_path
from speech.settings import SpeechSettings
from tests.speech.conftest import KO_MODEL_DIR, asterisk_sound


def test_transcript_parsing_skips_comments_and_non_speech() -> None:
    lines = [
        "; Core Asterisk Sounds in French",
        "",
        "activated: activé",
        "beeperr: (ahooga)",
        "ascending-2tone: [ascending tones]",
        "conf-adminmenu: “Pour quitter, appuyez sur 8.”",
        "digits/1: un",
        "no separator here",
        "at-tone: Au timbre sonore: l'heure",
    ]
    assert parse_transcripts(lines) == {
        "activated": "activé",
        "conf-adminmenu": "Pour quitter, appuyez sur 8.",
        "digits/1": "un",
        "at-tone": "Au timbre sonore: l'heure",
    }


def test_normalisation_for_scoring() -> None:
    assert normalize("Pour quitter, appuyez sur 8.") == [
        "pour",
        "quitter",
        "appuyez",
        "sur",
        "huit",
    ]
    assert normalize("L’heure d'arrivée: dix-sept") == [
        "l'",
        "heure",
        "d'",
        "arrivée",
        "dix",
        "sept",
    ]
    assert normalize("c' est") == normalize("C'est") == ["c'", "est"]
    assert normalize("(beep) !") == ["beep"]


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "zéro"),
        (17, "dix-sept"),
        (21, "vingt-et-un"),
        (71, "soixante-et-onze"),
        (80, "quatre-vingts"),
        (81, "quatre-vingt-un"),
        (99, "quatre-vingt-dix-neuf"),
        (100, "cent"),
        (200, "deux cents"),
        (342, "trois cent quarante-deux"),
        (1234, "un deux trois quatre"),
    ],
)
def test_french_numbers(number: int, words: str) -> None:
    assert french_number(number) == words


def test_word_errors() -> None:
    ref = ["appuyez", "sur", "la", "touche", "étoile"]
    assert word_errors(ref, ref) == 0
    assert word_errors(ref, ["appuyez", "sur", "la", "touche", "dièse"]) == 1  # substitution
    assert word_errors(ref, ["appuyez", "la", "touche", "étoile"]) == 1  # deletion
    assert word_errors(ref, ["appuyez", "sur", "la", "la", "touche", "étoile"]) == 1  # insertion
    assert word_errors(ref, []) == 5
    assert word_errors([], ["euh"]) == 1


def test_eval_asr_runs_on_real_recordings(capsys: pytest.CaptureFixture[str]) -> None:
    # The Korean model cannot score French, but every stage runs on real recordings.
    asterisk_sound("activated")
    assert main(["eval-asr", "--model", str(KO_MODEL_DIR), "--limit", "2"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == 2 and report["reference_words"] >= 2
    assert report["wer"] > 0.5 and report["rtf"] > 0.0
    assert report["worst"][0]["reference"]


def test_eval_asr_without_a_model_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IVR_VOSK_MODEL", raising=False)
    monkeypatch.setenv("IVR_MODELS_DIR", str(tmp_path))
    assert main(["eval-asr"]) == 2
    assert "ivr models download fr-small" in capsys.readouterr().err


def french_model() -> Path | None:
    try:
        path = model_path(SpeechSettings.from_env())
    except ModelUnavailable:
        return None
    return path if "fr" in path.name.split("-") else None


@pytest.mark.french_model
@pytest.mark.skipif(
    french_model() is None,
    reason="no French Vosk model here (set IVR_VOSK_MODEL or run `ivr models download fr-small`);"
    " alphacephei.com is unreachable from this machine",
)
def test_french_model_scores_well_on_asterisk_recordings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert SOUNDS.is_dir() and TRANSCRIPTS.is_file()
    assert main(["eval-asr", "--limit", str(int(os.environ.get("IVR_EVAL_LIMIT", "60")))]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"] >= 20
    assert report["wer"] < 0.5, report
    assert report["rtf"] < 1.0
