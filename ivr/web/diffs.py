"""Differences between two flow versions, file by file, as rows for an accessible table.

Each changed file gives hunks of rows (kind, old line number, new line number, text) with
three lines of context, like `diff -u`; kind is "same", "added" or "removed".
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Kind = Literal["same", "added", "removed"]


@dataclass(frozen=True, slots=True)
class DiffRow:
    kind: Kind
    old: int | None
    """1-based line in the older version, None for an added line."""
    new: int | None
    """1-based line in the newer version, None for a removed line."""
    text: str


@dataclass(frozen=True, slots=True)
class FileDiff:
    filename: str
    status: Literal["modifié", "ajouté", "supprimé", "identique"]
    hunks: tuple[tuple[DiffRow, ...], ...]
    added: int
    removed: int


def diff_file(filename: str, old: str | None, new: str | None, context: int = 3) -> FileDiff:
    a, b = (old or "").splitlines(), (new or "").splitlines()
    status: Literal["modifié", "ajouté", "supprimé", "identique"] = (
        "ajouté" if old is None else "supprimé" if new is None
        else "identique" if a == b else "modifié")
    hunks: list[tuple[DiffRow, ...]] = []
    added = removed = 0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        rows: list[DiffRow] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [DiffRow("same", i + 1, j1 + (i - i1) + 1, a[i]) for i in range(i1, i2)]
                continue
            if tag in ("replace", "delete"):
                rows += [DiffRow("removed", i + 1, None, a[i]) for i in range(i1, i2)]
                removed += i2 - i1
            if tag in ("replace", "insert"):
                rows += [DiffRow("added", None, j + 1, b[j]) for j in range(j1, j2)]
                added += j2 - j1
        hunks.append(tuple(rows))
    if status == "identique":
        hunks = []
    return FileDiff(filename, status, tuple(hunks), added, removed)


def diff_versions(old: dict[str, str], new: dict[str, str]) -> list[FileDiff]:
    """Every file of either version, in the newer version's order, then removed files."""
    names = list(new) + [name for name in old if name not in new]
    return [diff_file(name, old.get(name), new.get(name)) for name in names]
