"""Two real workers on one real PostgreSQL answer one web chat: a citizen's requests alternate
between worker A and worker B, book a real appointment and are handed over to an agent signed
in on worker A, whose replies reach the citizen's stream of server-sent events opened on
worker B (and the end too). Prints how long an agent's reply took to reach that stream."""

from __future__ import annotations

import asyncio
import http.client
import json
import queue
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from ivr.storage import appointments, calls, chats
from ivr.storage.database import Database
from tests.session.test_workers_console import PASSWORD, two_workers
from tests.web.test_web_chat import BOOKING

pytestmark = pytest.mark.postgres
Answer = tuple[int, dict[str, Any], str]


def _request(url: str, body: dict[str, Any] | None = None, *, cookie: str = "",
             csrf: str = "") -> Answer:
    """One JSON request (POST with a body, else GET): status, JSON answer, Set-Cookie."""
    headers = {"Content-Type": "application/json", "Cookie": cookie, "X-CSRF-Token": csrf}
    request = urllib.request.Request(url, method="POST" if body is not None else "GET",
                                     data=json.dumps(body).encode() if body is not None
                                     else None, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            data = answer.read()
            return (answer.status, json.loads(data) if data else {},
                    answer.headers.get("Set-Cookie", "").split(";")[0])
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}"), ""


class Stream(threading.Thread):
    """The citizen's page listening to /api/chat/ID/stream: each event's name, data and
    arrival (monotonic seconds) goes to `events`; None when the server closed it."""

    def __init__(self, port: int, conversation: str) -> None:
        super().__init__(daemon=True)
        self.port, self.conversation = port, conversation
        self.events: queue.Queue[tuple[str, dict[str, Any], float] | None] = queue.Queue()
        self.status = 0

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", f"/api/chat/{self.conversation}/stream?after=0",
                               headers={"Accept": "text/event-stream"})
            answer = connection.getresponse()
            self.status = answer.status
            name, data = "message", ""
            for raw in answer:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif not line and data:
                    self.events.put((name, json.loads(data), time.monotonic()))
                    name, data = "message", ""
        finally:
            connection.close()
            self.events.put(None)

    async def next(self, wait_s: float) -> tuple[str, dict[str, Any], float] | None:
        return await asyncio.to_thread(self.events.get, True, wait_s)


def _stored(database: Database, conversation: str) -> tuple[list[Any], Any, Any]:
    with database.transaction() as s:
        return (appointments.list_appointments(s), calls.get_call(s, conversation),
                chats.get(s, conversation))


async def test_a_chat_alternating_between_workers_books_then_reaches_an_agent_on_the_other(
    shared_url: str, tmp_path: Path, prompt_cache: Path
) -> None:
    async with two_workers(tmp_path, prompt_cache, shared_url) as (a, b, database):
        assert a.web_port and b.web_port
        url_a, url_b = (f"http://127.0.0.1:{w.web_port}" for w in (a, b))
        urls = [url_a, url_b]

        status, greeting, _ = await asyncio.to_thread(_request, f"{url_a}/api/chat/start", {})
        assert status == 200 and "Saint-Aubin-sur-Loire" in " ".join(greeting["messages"])
        conversation = greeting["id"]
        answers = []
        for n, line in enumerate(BOOKING, start=1):  # B, A, B, ...
            status, answer, _ = await asyncio.to_thread(
                _request, f"{urls[n % 2]}/api/chat/{conversation}/say", {"text": line})
            assert status == 200, answer
            answers.append(answer)
        booked, _, row = await asyncio.to_thread(_stored, database, conversation)
        assert [(x.name, x.phone, x.call_id) for x in booked] == [
            ("Martin Dupont", "0612345678", conversation)]
        assert f"référence R {booked[0].id}." in " ".join(answers[-1]["messages"])
        assert row is not None and row.done == ["appointment"]

        status, handed, _ = await asyncio.to_thread(
            _request, f"{url_a}/api/chat/{conversation}/say", {"choice": "0"})
        assert status == 200 and handed["agent"] and handed["transfer"] == {"queue": "accueil"}

        stream = Stream(b.web_port, conversation)  # the citizen's page, served by worker B
        stream.start()
        status, session, cookie = await asyncio.to_thread(
            _request, f"{url_a}/api/session", {"username": "camille", "password": PASSWORD})
        assert status == 200
        csrf = session["csrf_token"]
        await asyncio.sleep(0.5)  # the stream is open (it sends nothing until a reply)
        sent = time.monotonic()
        status, written, _ = await asyncio.to_thread(
            _request, f"{url_a}/api/agent/chats/{conversation}/messages",
            {"text": "Bonjour, ici l'accueil. Votre rendez-vous est bien noté."},
            cookie=cookie, csrf=csrf)
        assert status == 200 and written["next"] == 1
        first = await stream.next(10)
        assert first is not None and stream.status == 200
        name, data, arrived = first
        assert name == "replies" and data["messages"] == [
            "Bonjour, ici l'accueil. Votre rendez-vous est bien noté."] and not data["ended"]
        print(f"\nagent's reply on worker A -> citizen's stream on worker B: "
              f"{(arrived - sent) * 1000:.0f} ms")

        status, _, _ = await asyncio.to_thread(
            _request, f"{url_b}/api/chat/{conversation}/say", {"text": "merci, à bientôt"})
        assert status == 200
        status, _, _ = await asyncio.to_thread(
            _request, f"{url_a}/api/agent/chats/{conversation}/end", {}, cookie=cookie,
            csrf=csrf)
        assert status == 204
        last = await stream.next(10)
        assert last is not None and last[0] == "replies"
        assert last[1]["ended"] and last[1]["ended_by"] == "agent"
        assert await stream.next(10) is None  # the server closed the stream
        _, record, row = await asyncio.to_thread(_stored, database, conversation)
        assert row is None  # the citizen learned the end: nothing of it is kept
        assert record.outcome == "transferred" and record.transfer_queue == "accueil"
        assert [t.speaker for t in record.turns][-2:] == ["agent", "caller"]
        assert b.relay is not None and b.relay.received > 0

