"""Recorded prompts through the admin page and API: upload, listen, replace, delete, refuse."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ivr.storage import prompts
from tests.storage.wavs import wav_bytes
from tests.web.conftest import api_login, form_token


def test_admin_uploads_a_prompt_with_the_page_form(client: TestClient) -> None:
    api_login(client, "alice")
    page = client.get("/admin")
    assert "Aucun message enregistré" in page.text
    answer = client.post(
        "/admin/prompts",
        data={"prompt_id": "accueil.bonjour", "csrf_token": form_token(page.text)},
        files={"file": ("bonjour.wav", wav_bytes(), "audio/wav")},
    )
    assert answer.status_code == 303
    after = client.get("/admin?fait=message")
    assert 'role="status">Message enregistré.' in after.text
    assert 'src="/api/prompts/accueil.bonjour"' in after.text
    listened = client.get("/api/prompts/accueil.bonjour")
    assert listened.headers["content-type"] == "audio/wav" and listened.content == wav_bytes()


def test_page_form_refuses_a_file_that_is_not_a_wav(client: TestClient) -> None:
    api_login(client, "alice")
    token = form_token(client.get("/admin").text)
    answer = client.post("/admin/prompts", data={"prompt_id": "x", "csrf_token": token},
                         files={"file": ("x.mp3", b"ID3 not a wav", "audio/mpeg")})
    assert answer.status_code == 422 and "not a PCM WAV file" in answer.text
    forged = client.post("/admin/prompts", data={"prompt_id": "x", "csrf_token": "forged"},
                         files={"file": ("x.wav", wav_bytes(), "audio/wav")})
    assert forged.status_code == 403


def test_prompt_api(client: TestClient) -> None:
    headers = api_login(client, "alice")
    put = client.put("/api/prompts/accueil.bonjour", content=wav_bytes(), headers=headers)
    assert put.status_code == 200 and put.json()["size_bytes"] == len(wav_bytes())
    client.put("/api/prompts/accueil.bonjour", content=wav_bytes(16000), headers=headers)
    listed = client.get("/api/prompts").json()
    assert [(p["prompt_id"], p["size_bytes"]) for p in listed] == [
        ("accueil.bonjour", len(wav_bytes(16000)))]
    assert client.delete("/api/prompts/accueil.bonjour", headers=headers).status_code == 204
    assert client.get("/api/prompts/accueil.bonjour").status_code == 404
    assert client.delete("/api/prompts/accueil.bonjour", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("prompt_id", "body", "status", "code"),
    [("accueil", b"not a wav", 422, "invalid_value"),
     ("accueil", wav_bytes(channels=2), 422, "invalid_value"),
     ("Accueil Bonjour", wav_bytes(), 422, "invalid_value"),
     ("accueil", b"\0" * (prompts.MAX_BYTES + 1), 413, "too_large")],
)
def test_prompt_api_refusals(
    client: TestClient, prompt_id: str, body: bytes, status: int, code: str
) -> None:
    headers = api_login(client, "alice")
    answer = client.put(f"/api/prompts/{prompt_id}", content=body, headers=headers)
    assert answer.status_code == status and answer.json()["code"] == code
    assert client.get("/api/prompts").json() == []


def test_agents_cannot_touch_prompts(client: TestClient) -> None:
    headers = api_login(client, "bob")
    assert client.get("/api/prompts").status_code == 403
    assert client.put("/api/prompts/x", content=wav_bytes(), headers=headers).status_code == 403
    assert client.post("/admin/prompts", data={"prompt_id": "x"}).status_code == 403
