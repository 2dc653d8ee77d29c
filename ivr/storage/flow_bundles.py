"""Flow versions with their companion files ("bundles").

A flow refers to data files by relative name (`nlu: mairie.intents.yaml`, `knowledge:`,
`hours:`, the tests' `flow: mairie.yaml`...). A stored version therefore carries every file of
the flow: the main file is always named `NAME.yaml` and is the version's `yaml_text` (so
`flows.published` keeps working), the others live in `flow_version_files` under their names.
File names are plain names (no directory): lowercase letters, digits, '.', '-', '_', ending
in `.yaml`. Checking what the files mean belongs to `dialogs` (see `ivr.flow_bundle`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogs.yaml_safe import safe_load
from ivr.storage import flows
from ivr.storage.errors import InvalidValue
from ivr.storage.models import FlowVersion, FlowVersionFile
from ivr.storage.records import FlowBundle, FlowVersionRecord

FILENAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,122}\.yaml")
MAX_FILES = 20
MAX_TOTAL = 1_000_000
"""Characters in all the files of one version."""


def main_file(name: str) -> str:
    """File name of a flow's main file."""
    return f"{name}.yaml"


def check_files(name: str, files: Mapping[str, str]) -> None:
    """InvalidValue unless `files` holds `NAME.yaml` and well-named YAML files of fair size."""
    if main_file(name) not in files:
        raise InvalidValue(f"a version of flow {name} needs its main file {main_file(name)}")
    if len(files) > MAX_FILES:
        raise InvalidValue(f"a flow version holds at most {MAX_FILES} files")
    if sum(len(text) for text in files.values()) > MAX_TOTAL:
        raise InvalidValue(f"the files of a flow version are limited to {MAX_TOTAL} characters")
    for filename, text in files.items():
        if not FILENAME.fullmatch(filename):
            raise InvalidValue(f"file name {filename!r}: lowercase letters, digits, '.', '-', "
                               "'_', ending in .yaml")
        try:
            safe_load(text)
        except yaml.YAMLError as err:
            raise InvalidValue(f"{filename} is not valid YAML: {err}") from err


def save_bundle(
    session: Session, name: str, files: Mapping[str, str], *, author: str
) -> FlowVersionRecord:
    """Store a new, unpublished version made of these files (`NAME.yaml` is the main one)."""
    check_files(name, files)
    record = flows.save_version(session, name, files[main_file(name)], author=author)
    for filename, text in files.items():
        if filename != main_file(name):
            session.add(FlowVersionFile(flow_version_id=record.id, filename=filename, text=text))
    session.flush()
    return record


def _bundle(session: Session, record: FlowVersionRecord) -> FlowBundle:
    rows = session.scalars(
        select(FlowVersionFile).where(FlowVersionFile.flow_version_id == record.id)
        .order_by(FlowVersionFile.filename)
    )
    files = [(main_file(record.name), record.yaml_text)]
    files += [(row.filename, row.text) for row in rows]
    return FlowBundle(record, tuple(files))


def get_bundle(session: Session, name: str, version: int) -> FlowBundle:
    """That version with its files; NotFound when it does not exist."""
    return _bundle(session, flows.get_version(session, name, version))


def published_bundle(session: Session, name: str) -> FlowBundle | None:
    record = flows.published(session, name)
    return None if record is None else _bundle(session, record)


def published_version(session: Session, name: str) -> int | None:
    """Number of the published version of a flow (one small query, for a per-call check)."""
    return session.scalar(
        select(FlowVersion.version).where(FlowVersion.name == name,
                                          FlowVersion.published.is_(True))
    )


def flow_names(session: Session) -> list[str]:
    """Names of the stored flows, sorted."""
    return list(session.scalars(select(FlowVersion.name).group_by(FlowVersion.name)
                                .order_by(FlowVersion.name)))

