"""Checks of what the service reads at start-up: the database (reachable, migrated to the
newest alembic revision) and the flow (valid by the loader `ivr check-flow` uses; which
version is published in the database, if any).

A SQLite file that does not exist is reported, never created: the doctor changes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from dialogs.loader import check_flow as load_flow
from dialogs.loader import errors_of
from dialogs.runtime import default_flow_path
from ivr.config import ServiceSettings
from ivr.doctor.result import CheckResult, failure, ok
from ivr.storage import flow_bundles
from ivr.storage.database import Database, DatabaseSettings, masked_url
from ivr.storage.migrate import current_revision, head_revision, known_revisions

DATABASE = "base de données"
FLOW = "flux"


def _sqlite_file(url: str) -> Path | None:
    if url.startswith("sqlite") and "///" in url:
        path = url.split("///", 1)[1].split("?", 1)[0]
        return Path(path) if path and path != ":memory:" else None
    return None


def upgrade_command(url: str) -> str:
    """`ivr db upgrade`, which reads IVR_DATABASE_URL (not the settings file), so with the
    URL in front when the settings name another database than the environment does."""
    if url in (os.environ.get("IVR_DATABASE_URL", ""), DatabaseSettings.from_environment().url):
        return "ivr db upgrade"
    return f"IVR_DATABASE_URL='{masked_url(url)}' ivr db upgrade"


def open_existing(settings: ServiceSettings) -> Database | CheckResult:
    """The configured database, or the ÉCHEC saying why it cannot be opened."""
    url = settings.database.url
    shown = masked_url(url)
    file = _sqlite_file(url)
    if file is not None and not file.exists():
        return failure(DATABASE, f"{shown} : le fichier n'existe pas", upgrade_command(url))
    try:
        database = Database(settings.database)
        database.ping()
    except Exception as err:  # a bad URL, a refused connection, a driver missing
        return failure(DATABASE, f"{shown} injoignable : {err}",
                       "vérifier [database] url (ou IVR_DATABASE_URL) et que le serveur tourne")
    return database


def check_database(settings: ServiceSettings) -> CheckResult:
    url = settings.database.url
    shown = masked_url(url)
    database = open_existing(settings)
    if isinstance(database, CheckResult):
        return database
    try:
        current = current_revision(database.engine)
    finally:
        database.dispose()
    head = head_revision()
    if current == head:
        return ok(DATABASE, f"{shown}, schéma à jour (révision {head})")
    if current is None:
        return failure(DATABASE, f"{shown} : base non migrée (aucune révision, attendue {head})",
                       upgrade_command(url))
    if current not in known_revisions():
        return failure(DATABASE, f"{shown} : révision {current} inconnue de cette version de "
                                 "standardiste (base migrée par une version plus récente ?)",
                       "installer la version de standardiste qui a migré cette base")
    return failure(DATABASE, f"{shown} : révision {current}, attendue {head}",
                   upgrade_command(url))


def check_flow(settings: ServiceSettings) -> CheckResult:
    path = settings.service.flow or default_flow_path()
    loaded, issues = load_flow(path)
    errors = errors_of(issues)
    if errors or loaded is None:
        shown = "; ".join(str(issue) for issue in errors[:3]) or "illisible"
        more = f" (+{len(errors) - 3} autres)" if len(errors) > 3 else ""
        return failure(FLOW, f"{path} inutilisable : {shown}{more}",
                       f"corriger le fichier (détail : ivr check-flow {path})")
    found = f"{path} valide ({len(loaded.flow.nodes)} nœuds"
    warnings = len(issues) - len(errors)
    found += f", {warnings} avertissement(s))" if warnings else ")"
    published = _published(settings)
    if published:
        found += f" ; {published}"
    return ok(FLOW, found)


def _published(settings: ServiceSettings) -> str:
    """Which version of the flow is published in the database, "" when it cannot be read."""
    name = settings.service.flow_name
    database = open_existing(settings)
    if isinstance(database, CheckResult):
        return ""
    try:
        with database.transaction() as session:
            if not flow_bundles.flow_names(session):
                return ""
            number = flow_bundles.published_version(session, name)
    except Exception:  # not migrated yet: the database check says so
        return ""
    finally:
        database.dispose()
    if number is None:
        return f"aucune version de {name!r} publiée dans la base : les appels jouent ce fichier"
    return f"version {number} de {name!r} publiée dans la base : c'est elle que jouent les appels"
