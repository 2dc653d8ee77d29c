"""The import rules of the house style: ivr uses the others; telephony may use speech's
audio types; dialogs and speech import no project package; FastAPI only inside ivr.web."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ivr", "speech", "dialogs", "telephony")
ALLOWED: dict[str, set[str]] = {
    "ivr": {"speech", "dialogs", "telephony"},
    "telephony": {"speech"},
    "speech": set(),
    "dialogs": set(),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_flow_one_way(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"package {package} has no modules"
    for path in files:
        for name in imported_modules(path):
            top = name.split(".")[0]
            if top in PACKAGES and top != package:
                assert top in ALLOWED[package], f"{path.relative_to(ROOT)} imports {name}"
            if top == "fastapi" or top == "starlette":
                rel = path.relative_to(ROOT).as_posix()
                assert rel.startswith("ivr/web"), f"{rel} imports {name} outside ivr/web"


def test_telephony_uses_only_speech_audio_types() -> None:
    for path in sorted((ROOT / "telephony").rglob("*.py")):
        for name in imported_modules(path):
            if name.split(".")[0] == "speech":
                assert name in {"speech", "speech.frames", "speech.convert"}, (
                    f"{path.relative_to(ROOT)} imports {name}: telephony may only use audio types"
                )
