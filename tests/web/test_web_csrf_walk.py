"""Every state-changing route refuses a request without its CSRF proof (issue 16, item 4).

The routes are read from the app's own route table, so a route added later is walked by
itself: it gets its path filled from the `seeded` values and an empty body unless `BODIES`
gives one, and must answer 403 without a token and with a wrong one (form field `csrf_token`
or header `X-CSRF-Token`), leaving the database and the chat rooms as they were. The same
request with the right token then passes the check (not 403; 29 of 38 are accepted outright,
the others are refused later for their content, e.g. a deliberately invalid flow, which keeps
the walk quick): the refusal was the token's, not a missing field's. Routes without a session
CSRF token are listed in `EXEMPT` with the reason, and their own protection is tested below;
a route neither walkable nor listed fails the walk. Signed in as an admin, who may reach
every route. Run with -s to see the count.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ivr.storage import appointments, callbacks, prompts, tickets, users
from ivr.storage.database import Database, DatabaseSettings
from ivr.web.app import create_app
from ivr.web.auth import SESSION_COOKIE, signed_in
from ivr.web.settings import WebSettings
from tests.storage.wavs import wav_bytes
from tests.web.conftest import CHAT_NOW, HASHER, PASSWORDS, chat_say, chat_start
from tests.web.flows import store_mairie
from tests.web.test_web_calendar import HOURS, PARIS

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EXEMPT = {
    ("POST", "/login"): "sign-in: no session yet; the form has its own double-submit cookie",
    ("POST", "/api/session"): "JSON sign-in: no session yet; a cross-site page cannot send "
                              "application/json without a CORS preflight, and text/plain is "
                              "refused",
    ("POST", "/api/chat/start"): "public citizen chat: reads no cookie (no ambient authority "
                                 "to abuse); starting a chat is what any visitor may do",
    ("POST", "/api/chat/{conversation}/say"): "public citizen chat: no cookie; the "
                                              "conversation id (64 random bits) is the proof",
    ("POST", "/api/chat/{conversation}/end"): "public citizen chat: no cookie; the "
                                              "conversation id (64 random bits) is the proof",
}


@dataclass(frozen=True, slots=True)
class Body:
    """What a route is sent besides its token: form fields, a JSON body or raw bytes."""

    form: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    multipart: bool = False


FLOW = "[parcours]"
BODIES: dict[tuple[str, str], Body] = {
    ("POST", "/agent/tickets/{ticket_id}"): Body(form={"status": "closed", "notes": "vu"}),
    ("PATCH", "/api/tickets/{ticket_id}"): Body(json={"status": "closed"}),
    ("POST", "/api/flows"): Body(json={"name": "autre", "yaml_text": FLOW}),
    ("POST", "/admin/flows/{name}/{version}/modifier"): Body(
        form={"fichier": "mairie.yaml", "text": FLOW}),
    ("POST", "/api/flows/{name}/versions"): Body(
        json={"base_version": 1, "files": {"mairie.yaml": FLOW}}),
    ("POST", "/api/simulator/{name}/{version}"): Body(json={"text": "bonjour"}),
    ("POST", "/admin/prompts"): Body(form={"prompt_id": "accueil.bonjour"}, multipart=True),
    ("PUT", "/api/prompts/{prompt_id}"): Body(content=wav_bytes(16000)),
    ("POST", "/admin/settings"): Body(form={"retention_days": "5", "store_audio": "on"}),
    ("POST", "/admin/privacy/export"): Body(form={"phone": "0612345678"}),
    ("POST", "/admin/privacy/erase"): Body(form={"phone": "0612345678", "confirm": "on"}),
    ("PUT", "/api/settings"): Body(json={"retention_days": 5}),
    ("POST", "/api/privacy/export"): Body(json={"phone": "0612345678"}),
    ("POST", "/api/privacy/erase"): Body(json={"phone": "0612345678"}),
    ("POST", "/admin/users"): Body(
        form={"username": "carol", "password": "carol's long password", "role": "admin"}),
    ("POST", "/admin/users/{username}/phone"): Body(form={"phone": "102"}),
    ("POST", "/api/users"): Body(
        json={"username": "carol", "password": "carol's long password", "role": "admin"}),
    ("PUT", "/api/users/{username}/phone"): Body(json={"phone": "102"}),
    ("POST", "/api/agent/chats/{conversation}/messages"): Body(json={"text": "Bonjour"}),
    ("POST", "/admin/apprentissage"): Body(
        form={"parcours": "mairie", "intention": "horaires", "phrase": ["c'est ouvert quand"]}),
    ("POST", "/admin/apprentissage/reponse"): Body(
        form={"parcours": "mairie", "titre": "Cimetière", "reponse": "Le cimetière ouvre à 8 h.",
              "phrase": ["le cimetière ouvre quand"]}),
    ("POST", "/admin/flows/{name}/{version}/annonces"): Body(
        form={"id": "piscine", "text": "La piscine est fermée.", "start": "2026-05-01",
              "end": "2099-06-01T18:00", "priority": "3"}),
}
"""Plausible bodies; a route missing here is sent an empty one (JSON `{}` for /api)."""


def state_changing_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every unsafe HTTP route in the app's route table, included routers
    unfolded (FastAPI >= 0.16x keeps them as one entry with `effective_route_contexts`)."""

    def walk(routes: list[Any]) -> Iterator[tuple[str, str]]:
        for route in routes:
            if hasattr(route, "effective_route_contexts"):
                yield from walk(list(route.effective_route_contexts()))
            elif hasattr(route, "original_router"):
                yield from walk(route.original_router.routes)
            for method in sorted(getattr(route, "methods", None) or ()):
                if method in UNSAFE:
                    yield method, route.path

    return sorted(set(walk(list(app.routes))))


def _route_table() -> list[tuple[str, str]]:
    database = Database(DatabaseSettings(url="sqlite://"))
    try:
        return state_changing_routes(create_app(WebSettings(), database))
    finally:
        database.dispose()


ROUTES = _route_table()
WALKED = [route for route in ROUTES if route not in EXEMPT]


@dataclass(frozen=True, slots=True)
class Seeded:
    path: Path
    values: dict[str, str]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Seeded:
    """Users, the shipped flow (version 1, published) and one of each record, stored once."""
    path = tmp_path_factory.mktemp("csrf-walk") / "seeded.db"
    shutil.copyfile(sqlite_template, path)
    db = Database(DatabaseSettings(url=f"sqlite:///{path}"))
    with db.transaction() as s:
        for name, role in (("alice", "admin"), ("bob", "agent")):
            users.create_user(s, HASHER, name, PASSWORDS[name], role)
        callback = callbacks.request_callback(s, phone="0612345678", reason="acte",
                                              name="Mme Martin", queue="etat-civil")
        ticket = tickets.open_ticket(s, category="voirie", description="nid-de-poule",
                                     location="rue des Lilas")
        booked = appointments.book(s, HOURS["etat_civil"],
                                   CHAT_NOW.replace(day=19, hour=9, tzinfo=PARIS),
                                   name="M. Petit", phone="0612345678")
        prompts.save_prompt(s, "accueil.bonjour", wav_bytes(), uploaded_by="alice")
    version = store_mairie(db)
    db.dispose()
    return Seeded(path, {
        "callback_id": str(callback.id), "ticket_id": str(ticket.id),
        "appointment_id": str(booked.id), "name": "mairie", "version": str(version),
        "ident": "crue_loire", "prompt_id": "accueil.bonjour", "username": "bob",
        "action": "disable"})


@pytest.fixture
def walk_app(seeded: Seeded, tmp_path: Path) -> Iterator[tuple[FastAPI, Path]]:
    path = tmp_path / "walk.db"
    shutil.copyfile(seeded.path, path)
    db = Database(DatabaseSettings(url=f"sqlite:///{path}"))
    yield create_app(WebSettings(), db, hasher=HASHER, chat_now=lambda: CHAT_NOW), path
    db.dispose()


def snapshot(path: Path, app: FastAPI) -> tuple[list[str], int]:
    """Every row of the database file, and how many chats are open."""
    with sqlite3.connect(path) as connection:
        rows = list(connection.iterdump())
    connection.close()
    return rows, app.state.chat.count()


def send(client: TestClient, method: str, path: str, body: Body,
         token: str | None) -> Any:
    headers = {} if token is None or not path.startswith("/api/") else {
        "X-CSRF-Token": token}
    form = dict(body.form)
    if token is not None and not path.startswith("/api/"):
        form["csrf_token"] = token
    if body.multipart:
        return client.request(method, path, data=form,
                              files={"file": ("bonjour.wav", wav_bytes(), "audio/wav")})
    if body.content is not None:
        return client.request(method, path, content=body.content, headers=headers)
    if path.startswith("/api/"):
        return client.request(method, path, json=body.json if body.json is not None else {},
                              headers=headers)
    return client.request(method, path, data=form)


def fill(path: str, values: dict[str, str]) -> str:
    names = re.findall(r"{(\w+)}", path)
    unknown = [name for name in names if name not in values]
    assert not unknown, f"give {path}'s {unknown} a plausible value in `seeded`"
    return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)


@pytest.mark.parametrize(("method", "route"), WALKED, ids=[f"{m} {p}" for m, p in WALKED])
def test_a_state_changing_route_refuses_a_missing_or_wrong_csrf_token(
    walk_app: tuple[FastAPI, Path], seeded: Seeded, method: str, route: str
) -> None:
    app, db_path = walk_app
    with TestClient(app, follow_redirects=False) as client:
        values = dict(seeded.values)
        if "{conversation}" in route:  # a web chat handed over to the agents
            values["conversation"] = str(chat_start(client)["id"])
            assert chat_say(client, values["conversation"], choice="0")["agent"]
        signed = client.post("/api/session", json={"username": "alice",
                                                   "password": PASSWORDS["alice"]})
        token = signed.json()["csrf_token"]
        path, body = fill(route, values), BODIES.get((method, route), Body())
        before = snapshot(db_path, app)
        for forged in (None, "", "forged-" + token[:8]):
            answer = send(client, method, path, body, forged)
            assert answer.status_code == 403, (forged, answer.status_code, answer.text[:300])
            assert "csrf" in answer.text or "Formulaire expiré" in answer.text
            assert snapshot(db_path, app) == before, f"{method} {path} changed something"
        accepted = send(client, method, path, body, token)
        assert accepted.status_code != 403, accepted.text[:300]


def test_every_state_changing_route_is_walked_or_exempt_with_a_reason(
    capsys: pytest.CaptureFixture[str]
) -> None:
    assert set(EXEMPT) <= set(ROUTES), f"stale exemptions: {set(EXEMPT) - set(ROUTES)}"
    assert ("POST", "/admin/users/{username}/{action}") in WALKED  # included routers unfolded
    assert set(WALKED) | set(EXEMPT) == set(ROUTES)
    assert all(reason.strip() for reason in EXEMPT.values())
    stale = set(BODIES) - set(ROUTES)
    assert not stale, f"bodies for routes that are gone: {stale}"
    with capsys.disabled():
        print(f"\nCSRF walk: {len(ROUTES)} state-changing routes, {len(WALKED)} walked, "
              f"{len(EXEMPT)} exempt")


def test_the_public_chat_routes_read_no_session(walk_app: tuple[FastAPI, Path]) -> None:
    """The exempt chat routes carry no ambient authority: they do not depend on the session,
    and a conversation is addressed by an unguessable id."""
    app, _ = walk_app
    chat_routes = {path for method, path in EXEMPT if path.startswith("/api/chat/")}

    def depends_on_session(dependant: Any) -> bool:
        return any(d.call is signed_in or depends_on_session(d) for d in dependant.dependencies)

    found: set[str] = set()
    for entry in app.routes:
        for context in getattr(entry, "effective_route_contexts", lambda: ())():
            if context.path in chat_routes and "POST" in context.methods:
                found.add(context.path)
                assert not depends_on_session(context.original_route.dependant)
    assert found == chat_routes
    with TestClient(app) as client:
        assert re.fullmatch(r"web-[0-9a-f]{16}", chat_start(client)["id"])


def test_sign_in_has_its_own_protection(walk_app: tuple[FastAPI, Path]) -> None:
    app, _ = walk_app
    with TestClient(app, follow_redirects=False) as client:
        form = {"username": "alice", "password": PASSWORDS["alice"]}
        refused = client.post("/login", data={**form, "csrf_token": "forged"})
        assert refused.status_code == 403 and SESSION_COOKIE not in refused.cookies
        as_text = client.post("/api/session", content='{"username": "alice", "password": '
                              f'"{PASSWORDS["alice"]}"}}', headers={"Content-Type": "text/plain"})
        assert as_text.status_code == 422 and SESSION_COOKIE not in as_text.cookies


def _session_cookie(answer: Any) -> str:
    cookies = [v for k, v in answer.headers.multi_items()
               if k == "set-cookie" and v.startswith(f"{SESSION_COOKIE}=")]
    assert len(cookies) == 1, cookies
    return str(cookies[0])


@pytest.mark.parametrize("secure", [False, True])
def test_session_cookies_are_http_only_and_same_site_strict(
    seeded: Seeded, tmp_path: Path, secure: bool
) -> None:
    path = tmp_path / "cookies.db"
    shutil.copyfile(seeded.path, path)
    db = Database(DatabaseSettings(url=f"sqlite:///{path}"))
    app = create_app(WebSettings(cookie_secure=secure), db, hasher=HASHER)
    try:
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
            api = client.post("/api/session", json={"username": "bob",
                                                    "password": PASSWORDS["bob"]})
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token
            form = client.post("/login", data={"username": "bob", "password": PASSWORDS["bob"],
                                               "csrf_token": token.group(1)})
            assert form.status_code == 303
            login_csrf = page.headers["set-cookie"]
            for cookie in (_session_cookie(api), _session_cookie(form), login_csrf):
                attributes = {part.strip().lower() for part in cookie.split(";")}
                assert "httponly" in attributes and "samesite=strict" in attributes, cookie
                assert ("secure" in attributes) is secure, cookie
    finally:
        db.dispose()
