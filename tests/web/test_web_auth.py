"""Signing in, roles, sessions, CSRF and the sign-in rate limit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from ivr.metrics import ServiceMetrics
from ivr.storage import users
from ivr.storage.database import Database, DatabaseSettings
from ivr.storage.models import WebSession
from ivr.storage.types import utc_now
from ivr.web.app import create_app
from ivr.web.ratelimit import ADDRESS_FACTOR
from ivr.web.settings import WebSettings
from tests.web.conftest import HASHER, PASSWORDS, api_login, form_token
from tests.web.doubles import ManualClock

AGENT_GETS = ["/agent", "/api/callbacks", "/api/tickets"]
ADMIN_GETS = ["/admin", "/api/flows", "/api/settings", "/api/users", "/api/prompts"]
ADMIN_POSTS = [("post", "/api/flows"), ("put", "/api/settings"),
               ("post", "/api/privacy/export"), ("post", "/api/privacy/erase"),
               ("post", "/api/flows/accueil/versions/1/publish"),
               ("post", "/admin/flows/accueil/1/publish"), ("post", "/admin/settings"),
               ("post", "/admin/privacy/export"), ("post", "/admin/privacy/erase"),
               ("post", "/admin/prompts")]
AGENT_POSTS = [("post", "/api/callbacks/1/done"), ("patch", "/api/tickets/1"),
               ("post", "/agent/callbacks/1/done"), ("post", "/agent/tickets/1")]


def form_login(client: TestClient, username: str, password: str) -> tuple[int, str]:
    page = client.get("/login")
    answer = client.post("/login", data={"username": username, "password": password,
                                         "csrf_token": form_token(page.text)})
    return answer.status_code, answer.headers.get("location", answer.text)


@pytest.mark.parametrize("path", AGENT_GETS + ADMIN_GETS)
def test_anonymous_requests_get_401(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 401
    if path.startswith("/api/"):
        assert answer.json()["code"] == "not_signed_in"
    else:
        assert 'action="/login"' in answer.text and "Veuillez vous connecter" in answer.text


@pytest.mark.parametrize(("method", "path"), ADMIN_POSTS + AGENT_POSTS)
def test_anonymous_changes_get_401(client: TestClient, method: str, path: str) -> None:
    assert client.request(method, path, json={}).status_code == 401


@pytest.mark.parametrize("path", ADMIN_GETS)
def test_agents_get_403_on_admin_reads(client: TestClient, path: str) -> None:
    api_login(client, "bob")
    answer = client.get(path)
    assert answer.status_code == 403
    if path.startswith("/api/"):
        assert answer.json()["code"] == "forbidden"
    else:
        assert "Votre rôle ne permet pas cette action." in answer.text


@pytest.mark.parametrize(("method", "path"), ADMIN_POSTS)
def test_agents_get_403_on_admin_changes(client: TestClient, method: str, path: str) -> None:
    headers = api_login(client, "bob")
    answer = client.request(method, path, json={"phone": "0612345678"}, headers=headers)
    assert answer.status_code == 403


@pytest.mark.parametrize("path", AGENT_GETS + ADMIN_GETS)
def test_admins_may_use_every_page(client: TestClient, path: str) -> None:
    api_login(client, "alice")
    assert client.get(path).status_code == 200


def test_form_login_sets_a_strict_session_cookie(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    answer = client.post("/login", data={"username": "bob", "password": PASSWORDS["bob"],
                                         "csrf_token": form_token(page.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/agent"
    cookie = next(v for k, v in answer.headers.multi_items()
                  if k == "set-cookie" and v.startswith("ivr_session="))
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=strict" in lowered and "max-age=28800" in lowered
    assert client.get("/agent").status_code == 200
    assert form_login(client, "alice", PASSWORDS["alice"]) == (303, "/admin")


def test_form_login_refuses_bad_input(client: TestClient) -> None:
    assert form_login(client, "bob", "wrong password")[0] == 401
    assert form_login(client, "", "")[0] == 422
    missing = client.post("/login", data={"username": "bob", "password": PASSWORDS["bob"]})
    assert missing.status_code == 403 and "expiré" in missing.text
    client.get("/login")
    forged = client.post("/login", data={"username": "bob", "password": PASSWORDS["bob"],
                                         "csrf_token": "forged"})
    assert forged.status_code == 403


def test_api_login_validates_its_body(client: TestClient) -> None:
    assert client.post("/api/session", json={"username": "bob"}).status_code == 422
    extra = client.post("/api/session", json={"username": "bob", "password": "x", "role": "a"})
    assert extra.status_code == 422 and extra.json()["code"] == "invalid_request"
    wrong = client.post("/api/session", json={"username": "bob", "password": "nope"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "bad_credentials"


def test_failed_logins_are_limited_per_username(
    client: TestClient, clock: ManualClock, metrics: ServiceMetrics
) -> None:
    for _ in range(5):
        assert client.post("/api/session", json={"username": "bob", "password": "bad"}
                           ).status_code == 401
    blocked = client.post("/api/session", json={"username": "bob", "password": PASSWORDS["bob"]})
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 300
    page = client.get("/login")
    form = client.post("/login", data={"username": "BOB", "password": PASSWORDS["bob"],
                                       "csrf_token": form_token(page.text)})
    assert form.status_code == 429 and "Retry-After" in form.headers
    assert metrics.registry.get_sample_value("ivr_web_login_failures_total") == 7
    clock.advance(301)
    api_login(client, "bob")


def test_failed_logins_are_limited_per_client_address(client: TestClient) -> None:
    for i in range(ADDRESS_FACTOR * 5):
        client.post("/api/session", json={"username": f"guess{i}", "password": "bad"})
    answer = client.post("/api/session", json={"username": "alice",
                                               "password": PASSWORDS["alice"]})
    assert answer.status_code == 429


def test_sessions_expire(client: TestClient, web_db: Database) -> None:
    api_login(client, "bob")
    assert client.get("/api/session").status_code == 200
    with web_db.transaction() as s:
        s.execute(update(WebSession).values(expires_at=utc_now()))
    assert client.get("/api/session").status_code == 401
    assert client.get("/agent").status_code == 401


def test_disabled_users_lose_their_sessions(client: TestClient, web_db: Database) -> None:
    api_login(client, "bob")
    with web_db.transaction() as s:
        users.set_active(s, "bob", False)
    assert client.get("/api/callbacks").status_code == 401


def test_logout_ends_the_session(client: TestClient) -> None:
    headers = api_login(client, "bob")
    assert client.delete("/api/session").status_code == 403  # no CSRF header
    assert client.delete("/api/session", headers=headers).status_code == 204
    assert client.get("/api/session").status_code == 401
    token = api_login(client, "bob")["X-CSRF-Token"]
    refused = client.post("/logout")  # a same-site page cannot sign an agent out
    assert refused.status_code == 403 and client.get("/agent").status_code == 200
    answer = client.post("/logout", data={"csrf_token": token})
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert client.get("/agent").status_code == 401


@pytest.mark.parametrize(("method", "path"), AGENT_POSTS[:2] + ADMIN_POSTS[:5])
def test_json_changes_need_the_csrf_header(client: TestClient, method: str, path: str) -> None:
    api_login(client, "alice")
    answer = client.request(method, path, json={}, headers={"X-CSRF-Token": "forged"})
    assert answer.status_code == 403 and answer.json()["code"] == "csrf"


@pytest.mark.parametrize(("method", "path"), [AGENT_POSTS[2], AGENT_POSTS[3], *ADMIN_POSTS[5:9]])
def test_form_posts_need_the_csrf_field(client: TestClient, method: str, path: str) -> None:
    api_login(client, "alice")
    form = {"status": "closed", "retention_days": "5", "phone": "0612345678", "confirm": "on",
            "csrf_token": "forged"}
    answer = client.request(method, path, data=form)
    assert answer.status_code == 403 and "Formulaire expiré" in answer.text


def test_on_a_fresh_install_the_sign_in_page_says_how_to_create_the_first_admin(
    tmp_path: Path, sqlite_template: Path, metrics: ServiceMetrics
) -> None:
    path = tmp_path / "fresh.db"
    shutil.copyfile(sqlite_template, path)  # migrated, with no account
    fresh = Database(DatabaseSettings(url=f"sqlite:///{path}"))
    try:
        app = create_app(WebSettings(), fresh, probes=[], metrics=metrics, hasher=HASHER)
        with TestClient(app) as client:
            page = client.get("/login").text
            assert "Aucun compte n’existe encore" in page
            assert "ivr users add votre-nom --role admin" in page
            with fresh.transaction() as s:
                users.create_user(s, HASHER, "marie", "marie's long password", "admin")
            assert "Aucun compte" not in client.get("/login").text
    finally:
        fresh.dispose()
