"""The request-body limit, counted on the stream: a pure ASGI middleware.

A Content-Length above the limit is refused at once; a body without one (chunked transfer
encoding) or lying about it is counted as it arrives, and the first byte over the limit ends
the request with 413 (JSON `{"code": "too_large", "message"}`), so no route ever holds or
spools more than `limit` bytes. The count raises `BodyTooLarge` from `receive`: a Starlette
`HTTPException`, so that FastAPI's body parsing passes it on unchanged and the error handler
(`ivr.web.errors`) answers; should it escape the app, the middleware answers itself.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    """The request body passed the limit (status 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"requests are limited to {limit} bytes")
        self.limit = limit


def too_large_body(limit: int) -> bytes:
    return json.dumps({"code": "too_large",
                       "message": f"requests are limited to {limit} bytes"}).encode()


def declared_length(scope: Scope) -> int | None:
    """The request's Content-Length, None when absent or not a number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


class BodyLimit:
    """Wraps an ASGI app: HTTP request bodies of at most ``limit`` bytes."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = too_large_body(self.limit)
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]})
        await send({"type": "http.response.body", "body": body})
