"""Flow YAML from the back office without alias bombs: anchors, aliases and over-long texts
are refused by the parser's events, before a node is built, by every reader of flow text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dialogs.nlu.intents import IntentsFileError, parse_yaml_text
from dialogs.runtime import default_flow_path
from dialogs.yaml_safe import MAX_YAML_CHARS, UnsafeYaml, check_text, compose, safe_load
from dialogs.yaml_source import read_yaml
from ivr.flow_bundle import check_bundle, read_directory
from ivr.web.flow_forms import to_yaml


def alias_bomb(levels: int = 9) -> str:
    """The "billion laughs": `levels` lists of nine aliases of the list above (9**levels
    strings once walked) in well under a kilobyte."""
    lines = ['l0: &l0 ["lol"]']
    for n in range(1, levels + 1):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]")
    return "name: bombe\nstart: a\nnodes:\n  a:\n    say: bonjour\n" + "\n".join(lines) + "\n"


def test_the_bomb_is_small_and_refused_at_its_first_anchor() -> None:
    bomb = alias_bomb()
    assert len(bomb) < 1000
    for read in (check_text, safe_load, compose):
        with pytest.raises(UnsafeYaml) as refused:
            read(bomb)
        assert "anchors (&name) are not allowed" in str(refused.value)
        assert refused.value.problem_mark is not None
        assert refused.value.problem_mark.line == 5  # 0-based: the line of `l0: &l0`


def test_an_alias_without_a_visible_anchor_line_is_refused_too() -> None:
    # the anchor is refused first wherever it is; an alias to an anchor is never reached,
    # so a lone alias (a syntax error for PyYAML) is still not built
    with pytest.raises(yaml.YAMLError):
        safe_load("a: *nowhere\n")
    with pytest.raises(UnsafeYaml, match="aliases"):
        check_text("a: *nowhere\n")


def test_too_long_is_refused_unparsed_and_ordinary_text_reads_as_before() -> None:
    with pytest.raises(UnsafeYaml, match="limited to"):
        safe_load("a: " + "x" * MAX_YAML_CHARS)
    text = default_flow_path().read_text(encoding="utf-8")
    assert safe_load(text) == yaml.safe_load(text)
    node = compose(text)
    assert node is not None and node.end_mark.line > 10


def test_the_flow_loader_and_the_intents_reader_refuse_the_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bombe.yaml"
    path.write_text(alias_bomb(), encoding="utf-8")
    document, issues = read_yaml(path)
    assert document is None
    assert len(issues) == 1 and "anchors" in issues[0].message and issues[0].line == 6
    with pytest.raises(IntentsFileError, match="anchors"):
        parse_yaml_text(alias_bomb())


def test_a_bundle_with_a_bomb_in_any_file_is_refused_with_the_line() -> None:
    files = {**read_directory(default_flow_path()), "mairie.kb.yaml": alias_bomb()}
    checked = check_bundle(files, "mairie.yaml")
    assert not checked.usable and checked.loaded is None
    assert [(i.file, i.line) for i in checked.errors] == [("mairie.kb.yaml", 6)]
    assert "invalid YAML" in checked.errors[0].message


def test_the_forms_write_a_repeated_value_in_full() -> None:
    same = ["08:30-12:00", "13:30-17:00"]
    written = to_yaml({"lundi": same, "mardi": same}, "# horaires\n")
    assert "&" not in written and "*" not in written
    assert safe_load(written) == {"lundi": same, "mardi": same}
