"""Which flow a new call plays: the published version in the database, cached by version.

`FlowRegistry.current(name)` is asked at each call's start. It reads the number of the
published version (one small query) and returns the matching `LiveFlow` (checked flow and
its understander), loading a version only the first time it is seen. Publishing a version in
the back office therefore reaches the next call without a restart, while calls in progress
keep the `LiveFlow` they started with (it is immutable and never unloaded under them).

Without a database, when the database fails, or while nothing is published, the registry
plays the flow file given as fallback (the shipped town-hall flow by default); `version` is
then None. A published version that cannot be loaded (it was checked at publishing, so this
means a newer dialogs refuses it) is logged and the previous good one is kept.

Blocking (database, file reading, NLU training): call it from a worker thread in async code,
`await asyncio.to_thread(registry.current, "mairie")`.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dialogs.errors import FlowError, FlowIssue
from dialogs.loader import LoadedFlow
from dialogs.runtime import default_flow_path, french_understander
from dialogs.understanding import Understander
from ivr.flow_bundle import CheckedFlow, UnderstanderFactory, check_bundle, read_directory
from ivr.storage import flow_bundles
from ivr.storage.database import Database
from ivr.storage.errors import StorageError

log = logging.getLogger(__name__)
DEFAULT_FLOW = "mairie"


@dataclass(frozen=True, slots=True)
class LiveFlow:
    """A flow ready for calls."""

    name: str
    version: int | None
    """Published version number; None for the fallback file."""
    loaded: LoadedFlow
    understander: Understander


class FlowRegistry:
    """Published flows by name, cached by version (thread-safe)."""

    def __init__(
        self,
        database: Database | None,
        *,
        fallback: Mapping[str, Path] | None = None,
        make_understander: UnderstanderFactory = french_understander,
        keep: int = 4,
    ) -> None:
        """`fallback`: flow name -> main file played while nothing is published (default:
        the shipped town-hall flow for "mairie"); `keep`: versions kept in the cache."""
        self.database = database
        self.fallback = dict(fallback) if fallback is not None else {
            DEFAULT_FLOW: default_flow_path()}
        self.make_understander = make_understander
        self.keep = keep
        self._cache: OrderedDict[tuple[str, int | None], LiveFlow] = OrderedDict()
        self._last_good: dict[str, LiveFlow] = {}
        self._lock = threading.Lock()

    def current(self, name: str = DEFAULT_FLOW) -> LiveFlow:
        """The flow a call starting now plays; `FlowError` only when neither a published
        version nor the fallback file can be used."""
        number = self._published_number(name)
        if number is None:
            return self._fallback(name)
        try:
            live = self.version(name, number)
        except (FlowError, StorageError) as err:
            log.error("flow %s version %s cannot be played (%s); keeping the previous one",
                      name, number, err)
            with self._lock:
                previous = self._last_good.get(name)
            return previous or self._fallback(name)
        with self._lock:
            self._last_good[name] = live
        return live

    def version(self, name: str, number: int) -> LiveFlow:
        """A stored version (published or not), checked and cached; `FlowError` listing the
        problems when it is not usable, `NotFound` when it does not exist."""
        with self._lock:
            cached = self._cached((name, number))
            if cached is not None:
                return cached
            if self.database is None:
                raise StorageError("no database: stored flow versions are unavailable")
            with self.database.transaction() as s:
                bundle = flow_bundles.get_bundle(s, name, number)
            checked = check_bundle(dict(bundle.files), bundle.main_file, self.make_understander)
            return self._store(name, number, checked)

    def played(self, name: str, number: int | None) -> LiveFlow:
        """The flow a conversation that started on `number` goes on playing (None: the
        fallback file), whatever was published since; `FlowError`, `NotFound` as above."""
        return self._fallback(name) if number is None else self.version(name, number)

    def adopt(self, name: str, number: int, checked: CheckedFlow) -> LiveFlow:
        """Cache a version just checked elsewhere (at publishing), so the next call does not
        wait for it to load; `FlowError` when it is not usable."""
        with self._lock:
            return self._store(name, number, checked)

    def _published_number(self, name: str) -> int | None:
        if self.database is None:
            return None
        try:
            with self.database.transaction() as s:
                return flow_bundles.published_version(s, name)
        except StorageError as err:
            log.warning("flow registry: database unavailable (%s), using the last flow", err)
            with self._lock:
                previous = self._last_good.get(name)
            return previous.version if previous is not None else None

    def _fallback(self, name: str) -> LiveFlow:
        path = self.fallback.get(name)
        if path is None:
            raise FlowError([FlowIssue(name, "nothing published and no fallback file")])
        with self._lock:
            cached = self._cached((name, None))
            if cached is not None:
                return cached
            try:
                files = read_directory(path)
            except OSError as err:
                raise FlowError([FlowIssue(path.name, f"cannot be read ({err})")]) from err
            return self._store(name, None, check_bundle(files, path.name,
                                                        self.make_understander))

    def _cached(self, key: tuple[str, int | None]) -> LiveFlow | None:
        live = self._cache.get(key)
        if live is not None:
            self._cache.move_to_end(key)
        return live

    def _store(self, name: str, number: int | None, checked: CheckedFlow) -> LiveFlow:
        if checked.loaded is None or checked.understander is None:
            raise FlowError(list(checked.errors) or [
                FlowIssue(name, f"version {number} cannot be loaded")])
        live = LiveFlow(name, number, checked.loaded, checked.understander)
        self._cache[(name, number)] = live
        while len(self._cache) > self.keep:
            self._cache.popitem(last=False)
        return live
