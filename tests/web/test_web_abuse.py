"""One client against the others (issue 17, item 7): a client cannot close others' web chats,
forwarding headers count only from trusted proxies, guessing a password from one address does
not lock the user out elsewhere. Clients are told apart by their real TCP peer address
(`TestClient(client=...)`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ivr.live import LiveHub
from ivr.metrics import ServiceMetrics
from ivr.storage import calls
from ivr.storage.database import Database
from ivr.web.app import create_app
from ivr.web.chat_settings import ChatSettings
from ivr.web.settings import WebSettings
from tests.web.conftest import HASHER, PASSWORDS, chat_say, chat_start
from tests.web.doubles import ManualClock
from tests.web.flows import store_mairie

ATTACKER = ("198.51.100.66", 40000)
CITIZEN = ("192.0.2.10", 40001)
NEIGHBOUR = ("192.0.2.11", 40002)
PROXY = ("127.0.0.1", 40003)


def client_at(app: FastAPI, address: tuple[str, int]) -> TestClient:
    return TestClient(app, client=address, follow_redirects=False)


@pytest.fixture
def small_chat(web_db: Database, clock: ManualClock, hub: LiveHub) -> FastAPI:
    store_mairie(web_db)
    limits = ChatSettings(max_conversations=4, per_client=2, per_address=100, idle_s=600.0)
    return create_app(WebSettings(), web_db, metrics=ServiceMetrics(), hasher=HASHER,
                      clock=clock, live=hub, chat=limits)


@pytest.fixture
def clients(small_chat: FastAPI) -> Iterator[dict[str, TestClient]]:
    with (client_at(small_chat, ATTACKER) as attacker, client_at(small_chat, CITIZEN) as citizen,
          client_at(small_chat, NEIGHBOUR) as neighbour):
        yield {"attacker": attacker, "citizen": citizen, "neighbour": neighbour}


def test_one_client_opening_many_chats_closes_only_its_own(
    clients: dict[str, TestClient], small_chat: FastAPI, web_db: Database
) -> None:
    citizen = chat_start(clients["citizen"])["id"]
    opened = [chat_start(clients["attacker"])["id"] for _ in range(10)]
    assert small_chat.state.chat.count() == 3  # the citizen's and the attacker's last two
    reply = chat_say(clients["citizen"], citizen, text="quels sont vos horaires")
    assert reply["messages"] and not reply["ended"]
    with web_db.transaction() as s:
        assert calls.get_call(s, opened[0]).outcome == "abandoned"  # its own, closed properly
    last = clients["attacker"].post(f"/api/chat/{opened[-1]}/say", json={"text": "bonjour"})
    assert last.status_code == 200
    first = clients["attacker"].post(f"/api/chat/{opened[0]}/say", json={"text": "bonjour"})
    assert first.status_code == 404


def test_a_full_chat_refuses_a_newcomer_instead_of_closing_someone_else(
    clients: dict[str, TestClient], small_chat: FastAPI, web_db: Database
) -> None:
    citizen = chat_start(clients["citizen"])["id"]
    neighbour = chat_start(clients["neighbour"])["id"]
    chat_start(clients["neighbour"])
    chat_start(clients["citizen"])  # 4 of 4 places taken
    refused = clients["attacker"].post("/api/chat/start")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert "the chat is full" in refused.json()["message"]
    assert int(refused.headers["Retry-After"]) >= 1
    for who, conversation in (("citizen", citizen), ("neighbour", neighbour)):
        assert chat_say(clients[who], conversation, text="quels sont vos horaires")["messages"]
    with web_db.transaction() as s:  # the refused start left no call behind
        assert len(calls.list_calls(s)) == 4
    chat_start(clients["citizen"])  # a client with chats open makes room among its own
    assert small_chat.state.chat.count() == 4
    assert chat_say(clients["neighbour"], neighbour, text="quels sont vos horaires")["messages"]
    gone = clients["citizen"].post(f"/api/chat/{citizen}/say", json={"text": "bonjour"})
    assert gone.status_code == 404  # the citizen's oldest made room


def proxied_app(web_db: Database, clock: ManualClock, trusted: tuple[str, ...]) -> FastAPI:
    return create_app(WebSettings(trusted_proxies=trusted), web_db, metrics=ServiceMetrics(),
                      hasher=HASHER, clock=clock)


def fail_logins(client: TestClient, count: int, username: str,
                headers: dict[str, str] | None = None) -> None:
    for _ in range(count):
        answer = client.post("/api/session", json={"username": username, "password": "bad"},
                             headers=headers)
        assert answer.status_code == 401


def sign_in(client: TestClient, username: str, headers: dict[str, str] | None = None) -> int:
    answer = client.post("/api/session",
                         json={"username": username, "password": PASSWORDS[username]},
                         headers=headers)
    return answer.status_code


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    web_db: Database, clock: ManualClock
) -> None:
    forged = {"X-Forwarded-For": "203.0.113.9"}
    with client_at(proxied_app(web_db, clock, ()), PROXY) as direct:
        fail_logins(direct, 5, "alice", forged)
        assert sign_in(direct, "alice") == 429  # counted as 127.0.0.1, the header ignored
    clock.advance(301)  # the failures leave the window (the database holds them for all apps)
    with client_at(proxied_app(web_db, clock, ("127.0.0.1",)), PROXY) as proxied:
        fail_logins(proxied, 5, "alice", forged)
        assert sign_in(proxied, "alice", forged) == 429  # counted as 203.0.113.9
        assert sign_in(proxied, "alice") == 200  # the proxy itself is another client
        assert sign_in(proxied, "alice", {"X-Forwarded-For": "203.0.113.10"}) == 200


def test_trusted_proxies_take_networks_and_the_forwarded_header(
    web_db: Database, clock: ManualClock
) -> None:
    app = proxied_app(web_db, clock, ("127.0.0.0/8", "10.0.0.0/8"))
    with client_at(app, PROXY) as proxied:
        # A client cannot hide behind a hop it writes itself: the nearest untrusted hop counts.
        spoofed = {"X-Forwarded-For": "192.0.2.99, 203.0.113.9, 10.1.2.3"}
        fail_logins(proxied, 5, "bob", spoofed)
        assert sign_in(proxied, "bob", {"X-Forwarded-For": "203.0.113.9"}) == 429
        rfc = {"Forwarded": 'for="[2001:db8::7]:4711";proto=https, for=10.1.2.3'}
        fail_logins(proxied, 5, "alice", rfc)
        assert sign_in(proxied, "alice", {"X-Forwarded-For": "2001:db8::7"}) == 429
    with pytest.raises(ValueError, match="not an IP address"):
        proxied_app(web_db, clock, ("proxy.mairie.example",))


def test_guessing_a_password_from_one_address_does_not_lock_the_user_out_elsewhere(
    app: FastAPI
) -> None:
    with client_at(app, ATTACKER) as attacker, client_at(app, CITIZEN) as user:
        fail_logins(attacker, 5, "alice")
        assert sign_in(user, "alice") == 200
        assert sign_in(attacker, "alice") == 429  # the guesser stays locked out
        assert sign_in(attacker, "bob") == 200  # another user from there: not this pair


def test_one_address_cannot_try_many_usernames(app: FastAPI) -> None:
    with client_at(app, ATTACKER) as attacker, client_at(app, CITIZEN) as user:
        for i in range(4 * 5):  # ADDRESS_FACTOR times login_max_failures
            fail_logins(attacker, 1, f"guess{i}")
        refused = attacker.post("/api/session", json={"username": "bob",
                                                      "password": PASSWORDS["bob"]})
        assert refused.status_code == 429 and refused.json()["code"] == "too_many_attempts"
        assert sign_in(user, "bob") == 200
