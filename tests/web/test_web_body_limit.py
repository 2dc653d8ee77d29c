"""The body limit holds on the stream, and uploads are read only after the sign-in check.

The app is driven as uvicorn drives it (ASGI ``receive`` messages, one per chunk of a chunked
body, no Content-Length), so the test sees how much of a body the app asked for: a 200 MiB
chunked body must be cut after the limit, and an upload without a session never read."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from ivr.storage.database import Database
from ivr.web.app import create_app
from ivr.web.settings import WebSettings
from tests.web.conftest import HASHER

CHUNK = 64 * 1024
HUGE = 200 * 1024 * 1024 // CHUNK
"""Chunks of a 200 MiB body (what the probe sent)."""


class Reply:
    def __init__(self) -> None:
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body = b""
        self.chunks_read = 0


async def post(app: FastAPI, path: str, chunks: Iterator[bytes],
               headers: dict[str, str]) -> Reply:
    """One request with a chunked body (no Content-Length) from loopback."""
    reply = Reply()

    async def receive() -> dict[str, Any]:
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        reply.chunks_read += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            reply.status = message["status"]
            reply.headers = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            reply.body += message.get("body", b"")

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8080),
        "headers": [(k.lower().encode(), v.encode()) for k, v in
                    {"host": "127.0.0.1:8080", "transfer-encoding": "chunked", **headers}.items()],
    }
    await app(scope, receive, send)
    return reply


def zeros(count: int, first: bytes = b"") -> Iterator[bytes]:
    if first:
        yield first
    for _ in range(count):
        yield b" " * CHUNK


@pytest.fixture
def spool(tmp_path: Path) -> Iterator[Path]:
    """The temporary folder uploads would be spooled to, empty, watched by the test."""
    folder = tmp_path / "spool"
    folder.mkdir()
    before = tempfile.tempdir
    tempfile.tempdir = str(folder)
    yield folder
    tempfile.tempdir = before


async def test_a_chunked_json_body_is_cut_at_the_limit(web_db: Database) -> None:
    app = create_app(WebSettings(max_body_bytes=1024 * 1024), web_db, hasher=HASHER)
    reply = await post(app, "/api/session", zeros(HUGE, b"{"),
                       {"content-type": "application/json"})
    assert reply.status == 413, reply.body
    assert b'"too_large"' in reply.body and reply.headers["x-frame-options"] == "DENY"
    assert reply.chunks_read <= 1024 * 1024 // CHUNK + 2  # not the 200 MiB


async def test_a_chunked_body_under_the_limit_is_served(web_db: Database) -> None:
    app = create_app(WebSettings(max_body_bytes=1024 * 1024), web_db, hasher=HASHER)
    body = b'{"username": "bob", "password": "wrong password"}'
    reply = await post(app, "/api/session", iter([body[:10], body[10:]]),
                       {"content-type": "application/json"})
    assert reply.status == 401 and reply.chunks_read == 2


async def test_an_upload_without_a_session_is_never_read(
    web_db: Database, spool: Path
) -> None:
    app = create_app(WebSettings(), web_db, hasher=HASHER)
    boundary = "x" * 16
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"prompt_id\"\r\n\r\n"
            f"accueil\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n").encode()
    reply = await post(app, "/admin/prompts", zeros(HUGE, head),
                       {"content-type": f"multipart/form-data; boundary={boundary}"})
    assert reply.status == 401
    assert reply.chunks_read == 0
    assert os.listdir(spool) == []


async def test_a_signed_in_upload_is_still_bounded(web_db: Database, spool: Path) -> None:
    """Even an admin's upload stops at the limit, and leaves no spooled file behind."""
    from fastapi.testclient import TestClient

    from tests.web.conftest import PASSWORDS

    app = create_app(WebSettings(max_body_bytes=2 * 1024 * 1024), web_db, hasher=HASHER)
    with TestClient(app) as client:
        signed = client.post("/api/session",
                             json={"username": "alice", "password": PASSWORDS["alice"]})
        assert signed.status_code == 200
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    boundary = "y" * 16
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n").encode()
    reply = await post(app, "/admin/prompts", zeros(HUGE, head),
                       {"content-type": f"multipart/form-data; boundary={boundary}",
                        "cookie": cookie})
    assert reply.status == 413
    assert reply.chunks_read <= 2 * 1024 * 1024 // CHUNK + 2
    assert os.listdir(spool) == []
