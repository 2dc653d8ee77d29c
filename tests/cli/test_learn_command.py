"""`ivr learn`, run as real processes on a copy of the town hall's flow folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def ivr(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ivr", "learn", *args], text=True,
                          capture_output=True, cwd=ROOT, timeout=120, check=False)


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    folder = tmp_path / "flows"
    shutil.copytree(ROOT / "dialogs" / "flows", folder)
    return folder


def test_groups_as_json(tmp_path: Path) -> None:
    missed = tmp_path / "missed.tsv"
    missed.write_text(
        "# text, confidence, count\n"
        "je voudrais un deuxième bac de tri\t0.22\t3\n"
        "il me faudrait un autre bac de tri\t0.2\n"
        "quelqu'un a jeté des pneus dans le chemin\t0.2\t2\n"
        "des gens ont déposé des pneus dans le chemin\n",
        encoding="utf-8",
    )
    done = ivr("groups", "--from", str(missed), "--now", "2026-11-23T10:00")
    assert done.returncode == 0, done.stderr
    groups = json.loads(done.stdout)
    assert [(g["count"], g["suggested_intent"]) for g in groups] == [
        (4, "dechets"), (3, "signalement")
    ]
    assert groups[0]["members"][0] == {
        "text": "je voudrais un deuxième bac de tri", "count": 3, "confidence": 0.22
    }
    missing = ivr("groups", "--from", str(missed), "--intents", str(tmp_path / "none.yaml"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    missed.write_text("un bac\tbeaucoup\n", encoding="utf-8")
    bad = ivr("groups", "--from", str(missed))
    assert bad.returncode == 2 and ":1: bad confidence" in bad.stderr


def test_add_writes_the_new_intents_when_precision_holds(flows: Path, tmp_path: Path) -> None:
    phrases = tmp_path / "bins.txt"
    phrases.write_text("il me faudrait un autre bac de tri\nun bac de tri supplémentaire\n",
                       encoding="utf-8")
    out = tmp_path / "new.intents.yaml"
    done = ivr("add", "--intent", "dechets", "--phrases", str(phrases),
               "--flow", str(flows / "mairie.yaml"), "--out", str(out))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["added"] == ["il me faudrait un autre bac de tri",
                               "un bac de tri supplémentaire"]
    assert report["precision"]["accepted"] and report["accepted"]
    assert report["conversations_played"] and report["conversation_failures"] == []
    assert report["written"] == str(out)
    assert "      - un bac de tri supplémentaire\n" in out.read_text(encoding="utf-8")
    # The flow's own intents file is untouched when --out names another file.
    shipped = (ROOT / "dialogs" / "flows" / "mairie.intents.yaml").read_text(encoding="utf-8")
    assert (flows / "mairie.intents.yaml").read_text(encoding="utf-8") == shipped


def test_add_refuses_what_lowers_precision(flows: Path, tmp_path: Path) -> None:
    phrases = tmp_path / "hours.txt"
    phrases.write_text(
        "vous fermez à quelle heure s'il vous plaît\nc'est ouvert le samedi matin\n"
        "à quelle heure ferme l'accueil\nvos horaires s'il vous plaît\n"
        "vous êtes ouverts en ce moment\nvous ouvrez à quelle heure demain\n"
        "c'est quoi vos horaires d'ouverture\nla mairie est ouverte le lundi\n",
        encoding="utf-8",
    )
    intents = flows / "mairie.intents.yaml"
    before = intents.read_text(encoding="utf-8")
    done = ivr("add", "--intent", "ecole", "--phrases", str(phrases),
               "--flow", str(flows / "mairie.yaml"))
    assert done.returncode == 1
    assert "refused" in done.stderr and "expects horaires" in done.stderr
    assert json.loads(done.stdout)["written"] is None
    assert intents.read_text(encoding="utf-8") == before
    unknown = ivr("add", "--intent", "inconnu", "--phrases", str(phrases),
                  "--flow", str(flows / "mairie.yaml"))
    assert unknown.returncode == 2 and "no intent 'inconnu'" in unknown.stderr
