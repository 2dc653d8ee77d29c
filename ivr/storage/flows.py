"""Versions of dialogue flows (YAML text): save a new version, publish one, read them.

Versions of one flow are numbered 1, 2, 3...; at most one version per flow is published (a
partial unique index guarantees it) and `publish` switches it in one transaction, so the
service always finds exactly one published version once a flow has been published. Checking
the flow's meaning belongs to `dialogs`; here the text must be a YAML mapping.
"""

from __future__ import annotations

import re

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dialogs.yaml_safe import safe_load
from ivr.storage.errors import Conflict, InvalidValue, NotFound
from ivr.storage.models import FlowVersion
from ivr.storage.records import FlowVersionRecord
from ivr.storage.savepoint import savepoint
from ivr.storage.types import utc_now

NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
MAX_YAML = 200_000


def _record(row: FlowVersion) -> FlowVersionRecord:
    return FlowVersionRecord(
        id=row.id, name=row.name, version=row.version, yaml_text=row.yaml_text,
        author=row.author, created_at=row.created_at, published=row.published,
    )


def check_yaml(yaml_text: str) -> None:
    """InvalidValue unless the text is a YAML mapping of reasonable size."""
    if len(yaml_text) > MAX_YAML:
        raise InvalidValue(f"flow text is limited to {MAX_YAML} characters")
    try:
        data = safe_load(yaml_text)  # no anchors or aliases: linear
    except yaml.YAMLError as err:
        raise InvalidValue(f"flow is not valid YAML: {err}") from err
    if not isinstance(data, dict):
        raise InvalidValue("flow YAML must be a mapping at the top level")


def save_version(session: Session, name: str, yaml_text: str, *, author: str) -> FlowVersionRecord:
    """Store a new, unpublished version numbered one past the newest."""
    if not NAME.fullmatch(name):
        raise InvalidValue("flow name: lowercase letters, digits, '-' and '_' (1-64)")
    check_yaml(yaml_text)
    last = session.scalar(select(func.max(FlowVersion.version)).where(FlowVersion.name == name))
    row = FlowVersion(
        name=name, version=(last or 0) + 1, yaml_text=yaml_text, author=author,
        created_at=utc_now(), published=False,
    )
    with savepoint(session, Conflict(f"another version of {name} was saved at the same time")):
        session.add(row)
    return _record(row)


def publish(session: Session, name: str, version: int) -> FlowVersionRecord:
    """Make that version the published one of its flow (the previous one is withdrawn)."""
    row = session.scalar(
        select(FlowVersion).where(FlowVersion.name == name, FlowVersion.version == version)
    )
    if row is None:
        raise NotFound(f"no version {version} of flow {name}")
    session.execute(
        update(FlowVersion)
        .where(FlowVersion.name == name, FlowVersion.published.is_(True))
        .values(published=False)
        .execution_options(synchronize_session="fetch")
    )
    row.published = True
    with savepoint(session, Conflict(f"flow {name} was published by someone else meanwhile")):
        session.flush()
    return _record(row)


def published(session: Session, name: str) -> FlowVersionRecord | None:
    """The published version of a flow, None if none is."""
    row = session.scalar(
        select(FlowVersion).where(FlowVersion.name == name, FlowVersion.published.is_(True))
    )
    return None if row is None else _record(row)


def get_version(session: Session, name: str, version: int) -> FlowVersionRecord:
    row = session.scalar(
        select(FlowVersion).where(FlowVersion.name == name, FlowVersion.version == version)
    )
    if row is None:
        raise NotFound(f"no version {version} of flow {name}")
    return _record(row)


def list_versions(session: Session, name: str | None = None) -> list[FlowVersionRecord]:
    """By flow name, newest version first."""
    query = select(FlowVersion).order_by(FlowVersion.name, FlowVersion.version.desc())
    if name is not None:
        query = query.where(FlowVersion.name == name)
    return [_record(row) for row in session.scalars(query)]
