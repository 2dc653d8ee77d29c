"""The agent's page and API: callback requests and incident tickets, with every refusal."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from ivr.storage import callbacks, tickets
from ivr.storage.database import Database
from ivr.storage.records import CallbackRecord, TicketRecord
from tests.web.conftest import api_login, form_token


@pytest.fixture
def callback(web_db: Database) -> CallbackRecord:
    with web_db.transaction() as s:
        return callbacks.request_callback(s, phone="0612345678", reason="acte de naissance",
                                          name="Mme Martin", queue="etat-civil")


@pytest.fixture
def ticket(web_db: Database) -> TicketRecord:
    with web_db.transaction() as s:
        return tickets.open_ticket(s, category="voirie", description="nid-de-poule",
                                   location="rue des Lilas")


def test_agent_page_lists_callbacks_and_marks_them_done(
    client: TestClient, callback: CallbackRecord, ticket: TicketRecord
) -> None:
    api_login(client, "bob")
    page = client.get("/agent")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text and "<h1>Espace agent</h1>" in page.text
    assert "Mme Martin" in page.text and ticket.reference in page.text
    local = callback.requested_at.astimezone(ZoneInfo("Europe/Paris"))
    assert local.strftime("%d/%m/%Y %H:%M") in page.text  # times shown in the town's zone
    done = client.post(f"/agent/callbacks/{callback.id}/done",
                       data={"csrf_token": form_token(page.text)})
    assert done.status_code == 303 and done.headers["location"].startswith("/agent?fait=rappel")
    after = client.get("/agent?fait=rappel")
    assert "Mme Martin" not in after.text
    assert 'role="status">Demande de rappel marquée comme traitée.' in after.text
    stored = client.get("/api/callbacks").json()
    assert stored[0]["status"] == "done" and stored[0]["done_by"] == "bob"


def test_agent_updates_a_ticket_by_form(
    client: TestClient, ticket: TicketRecord, web_db: Database
) -> None:
    api_login(client, "bob")
    token = form_token(client.get("/agent").text)
    answer = client.post(f"/agent/tickets/{ticket.id}",
                         data={"status": "in_progress", "notes": "équipe voirie prévenue",
                               "csrf_token": token})
    assert answer.status_code == 303
    with web_db.transaction() as s:
        stored = tickets.get_ticket(s, ticket.id)
    assert (stored.status, stored.notes, stored.updated_by) == (
        "in_progress", "équipe voirie prévenue", "bob")
    bad = client.post(f"/agent/tickets/{ticket.id}", data={"status": "lost", "csrf_token": token})
    assert bad.status_code == 422 and "Valeur refusée" in bad.text
    missing = client.post(f"/agent/tickets/{ticket.id}", data={"csrf_token": token})
    assert missing.status_code == 422 and "status" in missing.text
    unknown = client.post("/agent/tickets/999", data={"status": "closed", "csrf_token": token})
    assert unknown.status_code == 404


def test_callback_api(client: TestClient, callback: CallbackRecord) -> None:
    headers = api_login(client, "bob")
    listed = client.get("/api/callbacks", params={"status": "pending"}).json()
    assert [c["id"] for c in listed] == [callback.id]
    assert listed[0]["phone"] == "0612345678"
    done = client.post(f"/api/callbacks/{callback.id}/done", headers=headers)
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = client.post(f"/api/callbacks/{callback.id}/done", headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert client.post("/api/callbacks/999/done", headers=headers).status_code == 404
    assert client.post("/api/callbacks/abc/done", headers=headers).status_code == 422
    assert client.get("/api/callbacks", params={"status": "lost"}).status_code == 422
    assert client.get("/api/callbacks", params={"status": "pending"}).json() == []


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, "invalid_request"), ({"status": "lost"}, "invalid_request"),
     ({"status": "closed", "priority": 1}, "invalid_request"),
     ({"notes": "x" * 5001}, "invalid_request"), ({"status": None, "notes": None},
                                                  "invalid_request")],
)
def test_ticket_api_validation(
    client: TestClient, ticket: TicketRecord, body: dict[str, object], code: str
) -> None:
    headers = api_login(client, "bob")
    answer = client.patch(f"/api/tickets/{ticket.id}", json=body, headers=headers)
    assert answer.status_code == 422 and answer.json()["code"] == code


def test_ticket_api(client: TestClient, ticket: TicketRecord) -> None:
    headers = api_login(client, "bob")
    answer = client.patch(f"/api/tickets/{ticket.id}", json={"status": "closed"},
                          headers=headers)
    assert answer.status_code == 200 and answer.json()["status"] == "closed"
    assert client.get("/api/tickets", params={"status": "closed"}).json()[0]["id"] == ticket.id
    assert client.get("/api/tickets", params={"status": "lost"}).status_code == 422
    assert client.patch("/api/tickets/999", json={"notes": "x"}, headers=headers
                        ).status_code == 404
    assert "nid-de-poule" not in client.get("/agent").text  # closed tickets leave the page


def test_caller_text_is_escaped_in_pages(client: TestClient, web_db: Database) -> None:
    with web_db.transaction() as s:
        callbacks.request_callback(s, phone="0612345678", reason="<script>alert(1)</script>",
                                   name='"><img src=x onerror=alert(1)>')
    api_login(client, "bob")
    page = client.get("/agent").text
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
