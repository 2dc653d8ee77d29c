"""Live console latency across two workers: the time from a call event published on worker B
to its arrival in the event stream of worker A's back office (what an agent's browser
receives), with N calls in progress on B, each saying something every few seconds.

    .venv/bin/python bench/live_latency.py --database-url postgresql+psycopg://... \
        [--calls 24,48] [--seconds 20] [--turn-every 3] [--json PATH]

Worker B is a live hub with its PostgreSQL relay (`ivr.live_relay`); worker A is a hub, its
relay and the real back office (uvicorn on loopback), signed in as an agent; the client reads
`/agent/live/events` as the browser's EventSource does. The database must be PostgreSQL
(its schema is migrated; a user "bench-agent" is created if missing).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import socket
import statistics
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
import uvicorn
from argon2 import PasswordHasher

from ivr.live import CallEvent, LiveHub
from ivr.live_relay import LiveRelay
from ivr.storage import users
from ivr.storage.database import Database, DatabaseSettings
from ivr.storage.errors import Conflict
from ivr.web.app import create_app
from ivr.web.settings import WebSettings

USER, PASSWORD = "bench-agent", "bench agent's long password"
HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
SENTENCE = ("Je voudrais savoir quels papiers il faut apporter pour refaire une carte "
            "d'identité, et si je peux prendre rendez-vous jeudi matin.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def back_office(database: Database, hub: LiveHub) -> AsyncIterator[str]:
    app = create_app(WebSettings(), database, hasher=HASHER, live=hub)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    async with httpx.AsyncClient() as probe:  # up once it answers
        for _ in range(500):
            with contextlib.suppress(httpx.TransportError):
                await probe.get(f"http://127.0.0.1:{port}/healthz")
                break
            await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def read_stream(client: httpx.AsyncClient, url: str, latencies: list[float],
                      ready: asyncio.Event) -> None:
    async with client.stream("GET", f"{url}/agent/live/events", timeout=None) as stream:
        ready.set()
        async for line in stream.aiter_lines():
            if line.startswith("data: "):
                data = json.loads(line[6:])
                if data.get("kind") == "turn":
                    sent = datetime.fromisoformat(data["at"])
                    latencies.append((datetime.now(UTC) - sent).total_seconds())


async def one_call(hub: LiveHub, n: int, seconds: float, every: float) -> int:
    call_id = f"bench-{n}"
    hub.publish(CallEvent(call_id, "start", caller=f"06{n:08d}"))
    await asyncio.sleep(random.uniform(0, every))
    published, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        hub.publish(CallEvent(call_id, "turn", speaker="caller", text=SENTENCE,
                              intent="carte_identite", slots=(("service", "etat_civil"),)))
        published += 1
        await asyncio.sleep(every)
    hub.publish(CallEvent(call_id, "end", reason="resolved"))
    return published


async def measure(url: str, database: Database, calls: int, seconds: float,
                  every: float) -> dict[str, Any]:
    hub_a, hub_b = LiveHub(queue_size=4096), LiveHub()
    latencies: list[float] = []
    async with LiveRelay(hub_a, url, worker="bench-a").running() as relay_a, \
            LiveRelay(hub_b, url, worker="bench-b").running() as relay_b, \
            back_office(database, hub_a) as base_url, \
            httpx.AsyncClient(base_url=base_url) as client:
        signed = await client.post("/api/session",
                                   json={"username": USER, "password": PASSWORD})
        signed.raise_for_status()
        ready = asyncio.Event()
        reader = asyncio.create_task(read_stream(client, base_url, latencies, ready))
        await ready.wait()
        published = sum(await asyncio.gather(
            *(one_call(hub_b, n, seconds, every) for n in range(calls))))
        await asyncio.sleep(1.0)  # the last events on their way
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        lost = relay_b.lost + relay_a.lost
    ordered = sorted(latencies)
    quantile = statistics.quantiles(ordered, n=100) if len(ordered) > 1 else ordered * 99
    return {"calls": calls, "seconds": seconds, "turn_every_s": every,
            "events_per_s": round(published / seconds, 1), "published": published,
            "received": len(ordered), "lost": lost,
            "p50_ms": round(quantile[49] * 1000, 1), "p95_ms": round(quantile[94] * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1) if ordered else None}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database URL")
    parser.add_argument("--calls", default="24,48")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--turn-every", type=float, default=3.0,
                        help="seconds between two events of one call")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    database = Database(DatabaseSettings(url=args.database_url))
    database.upgrade()
    with contextlib.suppress(Conflict):
        await database.run(users.create_user, HASHER, USER, PASSWORD, "agent")
    results = []
    try:
        for calls in (int(n) for n in args.calls.split(",")):
            result = await measure(args.database_url, database, calls, args.seconds,
                                   args.turn_every)
            results.append(result)
            print(f"{calls:3d} live calls on worker B, {result['events_per_s']} events/s: "
                  f"worker A's event stream p50 {result['p50_ms']} ms, p95 "
                  f"{result['p95_ms']} ms, max {result['max_ms']} ms "
                  f"({result['received']}/{result['published']} received, "
                  f"{result['lost']} lost)")
    finally:
        database.dispose()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
