"""Fixtures for the back-office tests: a real SQLite database, the real app, two users, and
the web chat (its app with a fixed dialogue clock, its live hub, two request helpers)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ivr.live import LiveHub
from ivr.metrics import ServiceMetrics
from ivr.storage import users
from ivr.storage.database import Database, DatabaseSettings
from ivr.web.app import create_app
from ivr.web.chat_settings import ChatSettings
from ivr.web.settings import WebSettings
from tests.web.doubles import FixedProbe, ManualClock
from tests.web.flows import store_mairie

PASSWORDS = {"alice": "alice's long password", "bob": "bob's long password"}
# Light argon2 parameters keep the tests quick; the service uses argon2-cffi's defaults.
HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
CHAT_NOW = datetime(2026, 5, 12, 10, 0)  # a Tuesday morning: the town hall is open


@pytest.fixture
def web_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    path = tmp_path / "web.db"
    shutil.copyfile(sqlite_template, path)
    db = Database(DatabaseSettings(url=f"sqlite:///{path}"))
    with db.transaction() as s:
        users.create_user(s, HASHER, "alice", PASSWORDS["alice"], "admin")
        users.create_user(s, HASHER, "bob", PASSWORDS["bob"], "agent")
    yield db
    db.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def metrics() -> ServiceMetrics:
    return ServiceMetrics()


@pytest.fixture
def app(web_db: Database, clock: ManualClock, metrics: ServiceMetrics) -> FastAPI:
    probes = [FixedProbe("model", True), FixedProbe("ami", True)]
    return create_app(WebSettings(), web_db, probes=probes, metrics=metrics, hasher=HASHER,
                      clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def api_login(client: TestClient, username: str) -> dict[str, str]:
    """Sign in through the JSON API; returns headers carrying the CSRF token."""
    answer = client.post("/api/session",
                         json={"username": username, "password": PASSWORDS[username]})
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": answer.json()["csrf_token"]}


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


@pytest.fixture
def hub() -> LiveHub:
    return LiveHub()


@pytest.fixture
def chat_app(web_db: Database, clock: ManualClock, hub: LiveHub) -> FastAPI:
    store_mairie(web_db)
    limits = ChatSettings(per_conversation=12, per_address=40, idle_s=600.0)
    return create_app(WebSettings(), web_db, metrics=ServiceMetrics(), hasher=HASHER,
                      clock=clock, live=hub, chat=limits, chat_now=lambda: CHAT_NOW)


@pytest.fixture
def chat(chat_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(chat_app) as test_client:
        yield test_client


def chat_say(client: TestClient, conversation: str, **body: str) -> dict[str, Any]:
    answer = client.post(f"/api/chat/{conversation}/say", json=body)
    assert answer.status_code == 200, answer.text
    reply: dict[str, Any] = answer.json()
    return reply


def chat_start(client: TestClient) -> dict[str, Any]:
    answer = client.post("/api/chat/start")
    assert answer.status_code == 200, answer.text
    reply: dict[str, Any] = answer.json()
    return reply
