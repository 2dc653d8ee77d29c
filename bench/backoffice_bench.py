"""Back-office figures, printed as JSON: what the flow registry adds to a call's start, how
fast the live hub fans out, how long the analytics queries take on a month of calls.

Run: `.venv/bin/python bench/backoffice_bench.py` (SQLite file in a temporary directory), or
with `IVR_DATABASE_URL=postgresql+psycopg://...` (its tables must be empty or absent).
Figures: first load of a published flow version (check + understander, milliseconds), then
`FlowRegistry.current` once cached (the per-call cost: one query, milliseconds, median and
p95); `LiveHub.publish` with 50 subscribers (microseconds per event) and the time until all
of them hold it (milliseconds); the analytics page's four queries over 30 days with 3 000
calls of 4 turns (milliseconds); checking a bundle and playing its conversation tests (what
saving and publishing cost, milliseconds).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dialogs.runtime import default_flow_path
from ivr.flow_bundle import check_bundle, read_directory, run_tests
from ivr.flows_live import FlowRegistry
from ivr.live import CallEvent, LiveHub
from ivr.storage import analytics, flow_bundles, flows
from ivr.storage.database import Database, DatabaseSettings
from ivr.storage.models import Call, Turn


def ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)


def registry_figures(database: Database) -> dict[str, float]:
    files = read_directory(default_flow_path())
    with database.transaction() as s:
        record = flow_bundles.save_bundle(s, "mairie", files, author="bench")
        flows.publish(s, "mairie", record.version)
    registry = FlowRegistry(database)
    start = time.perf_counter()
    registry.current("mairie")
    first = ms(start)
    laps = []
    for _ in range(200):
        start = time.perf_counter()
        registry.current("mairie")
        laps.append(ms(start))
    laps.sort()
    return {"registry_first_load_ms": first,
            "registry_current_median_ms": round(statistics.median(laps), 3),
            "registry_current_p95_ms": laps[int(len(laps) * 0.95)]}


async def hub_figures(subscribers: int = 50, events: int = 200) -> dict[str, float]:
    hub = LiveHub(queue_size=events + 10)
    subs = [hub.subscribe() for _ in range(subscribers)]
    event = CallEvent("bench", "turn", speaker="caller", text="quels sont vos horaires")
    start = time.perf_counter()
    for _ in range(events):
        hub.publish(event)
    publish_us = (time.perf_counter() - start) * 1e6 / events
    start = time.perf_counter()
    for sub in subs:
        for _ in range(events):
            await sub.next(1.0)
    return {"hub_publish_us_per_event_50_subscribers": round(publish_us, 2),
            "hub_drain_all_subscribers_ms": ms(start)}


def analytics_figures(database: Database, calls_count: int = 3000) -> dict[str, float]:
    rng = random.Random(7)
    now = datetime.now(UTC)
    with database.transaction() as s:
        for n in range(calls_count):
            started = now - timedelta(minutes=rng.randint(0, 30 * 24 * 60))
            s.add(Call(id=f"b{n}", started_at=started,
                       ended_at=started + timedelta(seconds=rng.randint(30, 600)),
                       outcome=rng.choice(["resolved", "transferred", "callback", "abandoned"]),
                       transfer_queue="accueil", transfer_reason=rng.choice(["a", "b", "c"])))
            for seq in range(1, 5):
                s.add(Turn(call_id=f"b{n}", seq=seq, at=started, speaker="caller",
                           text=rng.choice(["horaires", "le truc", "un acte", "euh"]),
                           intent=rng.choice([None, "horaires", "etat_civil"])))
    since = now - timedelta(days=30)
    start = time.perf_counter()
    with database.transaction() as s:
        analytics.overview(s, since, now, "Europe/Paris")
        analytics.transfer_reasons(s, since, now)
        analytics.top_intents(s, since, now)
        analytics.not_understood(s, since, now)
    return {"analytics_page_queries_ms_3000_calls": ms(start)}


def bundle_figures() -> dict[str, float]:
    files = read_directory(default_flow_path())
    start = time.perf_counter()
    checked = check_bundle(files, "mairie.yaml")
    check = ms(start)
    understander = checked.understander
    assert understander is not None, "the shipped flow is usable"
    start = time.perf_counter()
    report = run_tests(files, lambda _loaded: understander)
    return {"bundle_check_ms": check, "bundle_tests_ms": ms(start),
            "bundle_conversations": len(report.outcomes)}


def main() -> None:
    url = os.environ.get("IVR_DATABASE_URL")
    with tempfile.TemporaryDirectory() as directory:
        database = Database(DatabaseSettings(
            url=url or f"sqlite:///{Path(directory) / 'bench.db'}"))
        database.upgrade()
        figures: dict[str, object] = {"database": database.dialect}
        figures.update(registry_figures(database))
        figures.update(asyncio.run(hub_figures()))
        figures.update(analytics_figures(database))
        figures.update(bundle_figures())
        database.dispose()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
