"""A session ends with the credentials it was opened with: a new password or a disabled
account signs the user out everywhere, and the live event stream closes when its session
ends."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ivr.storage import users
from ivr.storage.database import Database
from ivr.web.app import create_app
from ivr.web.settings import WebSettings
from tests.web.conftest import HASHER, api_login


@pytest.fixture
def quick_app(web_db: Database) -> FastAPI:
    """Streams check their session every 50 ms."""
    return create_app(WebSettings(session_recheck_s=0.05), web_db, hasher=HASHER)


@pytest.fixture
def bob(quick_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(quick_app, follow_redirects=False) as client:
        api_login(client, "bob")
        yield client


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(
    bob: TestClient, web_db: Database
) -> None:
    assert bob.get("/api/session").status_code == 200
    with web_db.transaction() as s:  # what `ivr users password bob` does
        users.set_password(s, HASHER, "bob", "bob's brand new password")
    assert bob.get("/api/session").status_code == 401
    assert bob.get("/agent/calls").status_code == 401


def test_disabling_a_user_ends_their_sessions_for_good(
    bob: TestClient, quick_app: FastAPI
) -> None:
    with TestClient(quick_app, follow_redirects=False) as alice:
        headers = api_login(alice, "alice")
        assert alice.post("/api/users/bob/disable", headers=headers).status_code == 200
        assert bob.get("/api/session").status_code == 401
        assert alice.post("/api/users/bob/enable", headers=headers).status_code == 200
    assert bob.get("/api/session").status_code == 401  # enabled again: a new sign-in needed
    api_login(bob, "bob")
    assert bob.get("/api/session").status_code == 200


@pytest.mark.parametrize("end", ["password", "sign_out"])
def test_the_live_stream_stops_when_its_session_ends(
    bob: TestClient, quick_app: FastAPI, web_db: Database, end: str
) -> None:
    hub = quick_app.state.ctx.live
    lines: list[str] = []
    with bob.stream("GET", "/agent/live/events") as stream:
        deadline = time.monotonic() + 5
        while hub.subscriber_count == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        if end == "password":
            with web_db.transaction() as s:
                users.set_password(s, HASHER, "bob", "bob's brand new password")
        else:
            with TestClient(quick_app) as other:  # the same session, signed out elsewhere
                other.cookies.update(bob.cookies)
                token = other.get("/api/session").json()["csrf_token"]
                assert other.delete("/api/session",
                                    headers={"X-CSRF-Token": token}).status_code == 204
        for line in stream.iter_lines():
            lines.append(line)
            if time.monotonic() > deadline + 20:
                break
    assert "event: ended" in lines
    assert lines[-1] in ("data: {}", "")
