"""Two real workers on one real PostgreSQL, one switchboard: a call answered by worker B shows
up live in the agent console served by worker A (real Chromium), its transcript grows there
as the caller presses keys on B, and it leaves A's list when the caller hangs up. Password
guesses spread over both workers are limited as one, and a session opened on one worker is
valid on the other."""

from __future__ import annotations

import asyncio
import contextlib
import json
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import delete
from sqlalchemy.orm import Session

from ivr.service import Service
from ivr.storage import users
from ivr.storage.database import Database
from ivr.storage.models import SignInFailure
from tests.harness.browser import async_browser, signed_in_console
from tests.session.caller import LoopbackCaller
from tests.session.conftest import NOW, session_settings
from tests.telephony.peers import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.browser]
PASSWORD = "a long enough password"




def _forget_failures(session: Session) -> None:
    session.execute(delete(SignInFailure))


@contextlib.asynccontextmanager
async def worker(folder: Path, prompt_cache: Path, url: str) -> AsyncIterator[Service]:
    base = session_settings(folder, prompt_cache, database_url=url,
                            session={"keypad_only": True})
    settings = replace(base, service=replace(base.service, web_enabled=True,
                                             web_host="127.0.0.1", web_port=0))
    service = Service(settings, clock=lambda: NOW)
    await service.start()
    try:
        yield service
    finally:
        await service.close()


@contextlib.asynccontextmanager
async def two_workers(tmp_path: Path, prompt_cache: Path, url: str
                      ) -> AsyncIterator[tuple[Service, Service, Database]]:
    """Workers A and B on the database `url`, with the agent account "camille" in it; the
    database as worker A opened it."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    async with worker(tmp_path / "a", prompt_cache, url) as a, \
            worker(tmp_path / "b", prompt_cache, url) as b:
        assert a.resources is not None and a.resources.database is not None
        database = a.resources.database
        await database.run(
            users.create_user, PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
            "camille", PASSWORD, "agent")
        yield a, b, database


async def test_a_call_on_one_worker_is_live_in_the_console_of_the_other(
    shared_url: str, tmp_path: Path, prompt_cache: Path
) -> None:
    async with two_workers(tmp_path, prompt_cache, shared_url) as (a, b, _), \
            async_browser() as browser:
        assert a.relay is not None and b.relay is not None
        assert await eventually(lambda: a.relay is not None and a.relay.listening.is_set(), 10)
        base_url = f"http://127.0.0.1:{a.web_port}"
        page = await signed_in_console(browser, base_url, "camille", PASSWORD)
        async with LoopbackCaller(b.audiosocket_port) as caller:  # answered by worker B
            call = str(caller.call_id)
            live = page.locator("section[aria-labelledby=en-cours]")
            await live.get_by_role("link", name=f"Appel {call}").wait_for(timeout=10000)
            await caller.wait_heard(25)  # the greeting has started
            call_page = await page.context.new_page()  # signed in too
            await call_page.goto(f"{base_url}/agent/calls/{call}", wait_until="load")
            await call_page.locator("html[data-live=ouvert]").wait_for(state="attached")
            await call_page.locator("#transcript").get_by_text("Bonjour").wait_for(timeout=10000)
            greeting = await call_page.locator("#transcript").inner_text()
            caller.press("1")  # over the greeting: the opening hours, said on B, read on A
            transcript = call_page.locator("#transcript")
            await transcript.get_by_text("L'accueil de la mairie est ouvert").wait_for(
                timeout=10000)
            pressed = await transcript.inner_text()
            await caller.hangup()
        await page.get_by_text("Aucun appel en cours.").wait_for(timeout=10000)
        assert b.relay.sent > 0 and a.relay.received > 0
    assert call not in {str(c) for c in a.calls}  # worker A never had the call
    assert "Assistant : Bonjour" in greeting and "[touches 1]" not in greeting
    assert "Appelant : [touches 1]" in pressed


def _sign_in(base_url: str, username: str, password: str) -> tuple[int, str]:
    """POST /api/session from this test (one client address); the status and the cookie."""
    request = urllib.request.Request(
        f"{base_url}/api/session", method="POST",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers.get("Set-Cookie", "").split(";")[0]
    except urllib.error.HTTPError as err:
        return err.code, ""


def _get(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as err:
        return err.code


async def test_guesses_spread_over_two_workers_are_limited_as_one_and_sessions_are_shared(
    shared_url: str, tmp_path: Path, prompt_cache: Path
) -> None:
    async with two_workers(tmp_path, prompt_cache, shared_url) as (a, b, database):
        urls = [f"http://127.0.0.1:{w.web_port}" for w in (a, b)]
        guesses = [await asyncio.to_thread(_sign_in, urls[n % 2], "camille", f"guess {n}")
                   for n in range(5)]  # 5 is the limit: 3 on worker A, 2 on worker B
        refused = [await asyncio.to_thread(_sign_in, url, "camille", PASSWORD) for url in urls]
        assert guesses == [(401, "")] * 5 and [status for status, _ in refused] == [429, 429]
        await database.run(_forget_failures)  # as the window passing would
        status, cookie = await asyncio.to_thread(_sign_in, urls[0], "camille", PASSWORD)
        assert status == 200 and cookie.startswith("ivr_session=")
        # signed in on worker A, the same session works on worker B
        assert await asyncio.to_thread(_get, f"{urls[1]}/api/callbacks", cookie) == 200
        assert await asyncio.to_thread(_get, f"{urls[1]}/api/callbacks", "") == 401
