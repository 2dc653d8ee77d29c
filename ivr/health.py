"""Health probes: small status providers that /healthz asks ("is the model loaded, is AMI
connected, is the database reachable").

`StatusProbe` is the boundary: the service plugs its real probes (speech model, AMI client),
tests plug doubles. `check()` is synchronous and may block briefly; the web app runs it in a
thread with a timeout.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from ivr.storage.database import Database
from ivr.storage.errors import StorageError


@dataclass(frozen=True, slots=True)
class ProbeResult:
    ok: bool
    detail: str = ""
    """Short human-readable explanation (French or English), empty when all is well."""


class StatusProbe(ABC):
    """One component's health."""

    name: str
    """Key in the /healthz answer: "model", "ami", "database"..."""

    @abstractmethod
    def check(self) -> ProbeResult:
        """Report the component's state; must not raise for an expected failure."""


class DatabaseProbe(StatusProbe):
    """Runs `SELECT 1` on the database."""

    name = "database"

    def __init__(self, database: Database) -> None:
        self._database = database

    def check(self) -> ProbeResult:
        try:
            self._database.ping()
        except StorageError as err:
            return ProbeResult(False, err.message)
        return ProbeResult(True)
