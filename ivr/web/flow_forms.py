"""Form views of a flow's data files: opening hours and closures, knowledge-base answers.

`hours_form(data)` / `kb_form(data)` turn a parsed file into rows for the page;
`hours_from_form(form)` / `kb_from_form(form)` read the submitted fields back into the file's
structure (the dialogs models check it afterwards, with the whole flow). Field names:
hours `svc-I-name`, `svc-I-label`, `svc-I-minutes`, `svc-I-DAY` ("08:30-12:00 13:30-17:30");
closures `cl-J-start`, `cl-J-end` (YYYY-MM-DD), `cl-J-services` (comma separated),
`cl-J-label`, `cl-J-delete`; knowledge `kb-K-id`, `kb-K-topic`, `kb-K-questions` (one a
line), `kb-K-answer`, `kb-K-delete`. `to_yaml` keeps the file's leading comment block
(other comments are lost when a form rewrites a file) and writes a value used twice in full
(flow files refuse YAML anchors and aliases, see `dialogs.yaml_safe`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
BLANK_CLOSURES = 3


class _Dumper(yaml.SafeDumper):
    """Never writes an anchor and alias for a value that appears twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(form: Mapping[str, Any], key: str) -> str:
    value = form.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def _indexes(form: Mapping[str, Any], prefix: str) -> list[str]:
    found = {m.group(1) for key in form if (m := re.fullmatch(rf"{prefix}-(\w+)-\w+", key))}
    return sorted(found, key=lambda i: (not i.isdigit(), int(i) if i.isdigit() else 0, i))


def hours_form(data: Any) -> dict[str, Any]:
    """Rows for the hours page from a parsed hours file."""
    data = data if isinstance(data, dict) else {}
    services = []
    for name, spec in (data.get("services") or {}).items():
        spec = spec if isinstance(spec, dict) else {}
        hours = spec.get("hours") or {}
        services.append({
            "name": str(name), "label": str(spec.get("label", "")),
            "minutes": str(spec.get("appointment_minutes", "")),
            "days": {day: " ".join(str(r) for r in hours.get(day, []) or []) for day in WEEKDAYS},
        })
    closures = [{
        "start": str(c.get("start", "")), "end": str(c.get("end", "") or ""),
        "services": ", ".join(str(s) for s in c.get("services", []) or []),
        "label": str(c.get("label", "")),
    } for c in (data.get("closures") or []) if isinstance(c, dict)]
    closures += [{"start": "", "end": "", "services": "", "label": ""}] * BLANK_CLOSURES
    return {"services": services, "closures": closures}


def hours_from_form(form: Mapping[str, Any], original: Any) -> tuple[dict[str, Any],
                                                                      dict[str, Any]]:
    """(hours file structure, rows to show again) from the submitted fields; keys of the
    original file that the form does not show are kept."""
    base = dict(original) if isinstance(original, dict) else {}
    found = base.get("services")
    old_services: dict[str, Any] = found if isinstance(found, dict) else {}
    services: dict[str, Any] = {}
    rows: dict[str, Any] = {"services": [], "closures": []}
    for i in _indexes(form, "svc"):
        name = _text(form, f"svc-{i}-name")
        if not name:
            continue
        spec = dict(old_services.get(name) or {})
        label, minutes = _text(form, f"svc-{i}-label"), _text(form, f"svc-{i}-minutes")
        days = {day: _text(form, f"svc-{i}-{day}") for day in WEEKDAYS}
        rows["services"].append({"name": name, "label": label, "minutes": minutes,
                                 "days": days})
        spec["label"] = label
        if minutes:
            spec["appointment_minutes"] = int(minutes) if minutes.isdigit() else minutes
        else:
            spec.pop("appointment_minutes", None)
        spec["hours"] = {day: re.split(r"[\s,;]+", text) for day, text in days.items() if text}
        services[name] = spec
    closures: list[dict[str, Any]] = []
    for j in _indexes(form, "cl"):
        row = {key: _text(form, f"cl-{j}-{key}") for key in ("start", "end", "services",
                                                              "label")}
        if not row["start"] or form.get(f"cl-{j}-delete"):
            continue
        rows["closures"].append(row)
        closure: dict[str, Any] = {"start": row["start"]}
        if row["end"]:
            closure["end"] = row["end"]
        names = [s for s in re.split(r"[\s,;]+", row["services"]) if s]
        if names:
            closure["services"] = names
        if row["label"]:
            closure["label"] = row["label"]
        closures.append(closure)
    rows["closures"] += [{"start": "", "end": "", "services": "", "label": ""}] * BLANK_CLOSURES
    base["services"] = services
    base["closures"] = closures
    return base, rows


def kb_form(data: Any) -> list[dict[str, str]]:
    """Rows for the knowledge page from a parsed knowledge file."""
    entries = (data or {}).get("entries") if isinstance(data, dict) else None
    return [{"id": str(key), "topic": str(e.get("topic", "")),
             "questions": "\n".join(str(q) for q in e.get("questions", []) or []),
             "answer": str(e.get("answer", ""))}
            for key, e in (entries or {}).items() if isinstance(e, dict)]


def kb_from_form(form: Mapping[str, Any], original: Any) -> tuple[dict[str, Any],
                                                                   list[dict[str, str]]]:
    """(knowledge file structure, rows to show again) from the submitted fields; an entry
    with an empty id (the blank "new entry" row left empty) or ticked for deletion is left
    out."""
    base = dict(original) if isinstance(original, dict) else {}
    entries: dict[str, Any] = {}
    rows: list[dict[str, str]] = []
    for k in _indexes(form, "kb"):
        key = _text(form, f"kb-{k}-id")
        row = {"id": key, "topic": _text(form, f"kb-{k}-topic"),
               "questions": _text(form, f"kb-{k}-questions"),
               "answer": _text(form, f"kb-{k}-answer")}
        if not key or form.get(f"kb-{k}-delete"):
            continue
        rows.append(row)
        entries[key] = {"topic": row["topic"],
                        "questions": [q.strip() for q in row["questions"].splitlines()
                                      if q.strip()],
                        "answer": row["answer"]}
    base["entries"] = entries
    return base, rows


def to_yaml(data: Any, original_text: str) -> str:
    """YAML text of `data`, after the original file's leading comment lines."""
    header = []
    for line in original_text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return "\n".join(header) + ("\n" if header else "") + body
