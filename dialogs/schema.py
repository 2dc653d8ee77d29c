"""JSON Schemas of the files admins edit, for editors (YAML language servers read them).

`python -m dialogs.schema` rewrites them next to this module: flow.schema.json,
knowledge.schema.json, hours.schema.json, flow-tests.schema.json and
announcements.schema.json. A test checks that the
shipped files match the models.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from dialogs.announcements import AnnouncementsFile
from dialogs.flow_model import Flow
from dialogs.hours import HoursFile
from dialogs.knowledge import KnowledgeFile
from dialogs.scenarios import TestsFile

HERE = Path(__file__).resolve().parent
SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "flow.schema.json": (Flow, "standardiste dialogue flow"),
    "knowledge.schema.json": (KnowledgeFile, "standardiste knowledge base"),
    "hours.schema.json": (HoursFile, "standardiste opening hours"),
    "flow-tests.schema.json": (TestsFile, "standardiste conversation tests"),
    "announcements.schema.json": (AnnouncementsFile, "standardiste announcements"),
}


def schema_text(model: type[BaseModel], title: str) -> str:
    """The schema of `model` as the JSON text shipped in the package."""
    schema = model.model_json_schema(by_alias=True)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": title}
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_all(directory: Path = HERE) -> list[Path]:
    written = []
    for name, (model, title) in SCHEMAS.items():
        path = directory / name
        path.write_text(schema_text(model, title), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path)
