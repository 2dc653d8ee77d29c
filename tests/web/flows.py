"""Flow data shared by the web tests: the shipped town-hall bundle and a way to store it."""

from __future__ import annotations

from dialogs.runtime import default_flow_path, french_understander
from ivr.flow_bundle import read_directory
from ivr.flow_versions import publish_checked, save_checked
from ivr.storage.database import Database

MAIRIE = read_directory(default_flow_path())
GREETING = "Bonjour, vous êtes bien à la mairie de Saint-Aubin-sur-Loire."


def store_mairie(database: Database, *, publish: bool = True,
                 files: dict[str, str] | None = None) -> int:
    """Store the shipped flow (or these files) as a version of "mairie"; its number."""
    record, _ = save_checked(database.transaction, "mairie", files or MAIRIE, author="alice",
                             make_understander=french_understander)
    if publish:
        publish_checked(database.transaction, "mairie", record.version,
                        make_understander=french_understander)
    return record.version
