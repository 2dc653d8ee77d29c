"""The citizens' web chat: an embeddable page and its JSON API (no sign-in).

Page: GET /chat (French, embeddable in an iframe on the town's website; /static/chat.js).
API: POST /api/chat/start -> `{"id", "messages": [TEXT], "ended", "transfer", "agent"}`;
POST /api/chat/{id}/say with `{"text": TEXT}` or `{"choice": DIGITS}` -> the same shape
(once `agent` is true the message goes to the agents' console, `messages` is empty);
GET /api/chat/{id}/stream?after=N -> server-sent events: each "replies" event (its `id`
the index the next one starts at, which a reconnecting browser sends back as Last-Event-ID)
has the data `{"id", "messages": [the agent's replies from the N-th], "next", "ended",
"ended_by"}`, sent when an agent writes (on any worker: the live events tell) and when a
side ends it (then the stream ends); "gone" when the conversation expired meanwhile; a
comment every 15 s keeps proxies from closing it; the stream closes after 10 minutes (the
browser reconnects by itself). GET /api/chat/{id}/replies?after=N -> the same data as JSON,
once (for a page that cannot stream). POST /api/chat/{id}/end -> 204.
429 with `Retry-After` (seconds) past the rate limits or when the chat is full of other
clients' conversations (the client is `ivr.web.client_address`'s), 404 once a conversation
has ended or expired, 409 when fetching replies of a conversation not handed over, 503 with a French
`message` (the town hall's phone number when configured) when no flow can be played.
The conversations live in `ChatRooms` (`ivr.web.chat`) on `app.state.chat`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ivr.live import Subscription
from ivr.storage.errors import NotFound
from ivr.web.auth import Ctx
from ivr.web.chat import ChatRooms
from ivr.web.chat_settings import ChatUnavailable, TooMany
from ivr.web.client_address import client_address

router = APIRouter()
MAX_TEXT = 500
"""Longest chat message, characters (citizens' and agents')."""
WAKE_S = 15.0
"""A reply stream reads the conversation again (and sends a keep-alive) this often, s."""
STREAM_S = 600.0
"""A reply stream closes after this long, s (the browser reconnects where it stopped)."""
FALLBACK_S = 3.0
"""Reading interval of a stream whose live events stopped (too slow a reader), s."""


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    choice: str | None = Field(default=None, pattern=r"^[0-9*#]{1,20}$")


def chat_rooms(request: Request) -> ChatRooms:
    rooms: ChatRooms = request.app.state.chat
    return rooms


def _address(request: Request) -> str:
    return client_address(request)


def _too_many(err: TooMany) -> JSONResponse:
    return JSONResponse({"code": err.code, "message": str(err)}, status_code=429,
                        headers={"Retry-After": str(err.retry_after)})


def unavailable_message(town_phone: str) -> str:
    """What a citizen reads when the chat cannot answer (French)."""
    call = (f"appelez la mairie au {town_phone}" if town_phone.strip()
            else "appelez la mairie par téléphone")
    return f"Le chat de la mairie est momentanément indisponible. Pour votre demande, {call}."


@router.get("/chat", response_class=HTMLResponse)
def chat_page(request: Request, ctx: Ctx) -> Response:
    """The chat page; the app lets any site frame it (see `EMBEDDABLE_PATHS`)."""
    return ctx.templates.TemplateResponse(request, "chat.html", {})


@router.post("/api/chat/start", response_model=None)
async def chat_start(request: Request, ctx: Ctx) -> dict[str, Any] | JSONResponse:
    try:
        return await run_in_threadpool(chat_rooms(request).start, _address(request))
    except TooMany as err:
        return _too_many(err)
    except ChatUnavailable as err:
        return JSONResponse({"code": err.code,
                             "message": unavailable_message(ctx.settings.town_phone)},
                            status_code=503, headers={"Retry-After": "60"})


@router.post("/api/chat/{conversation}/say", response_model=None)
async def chat_say(request: Request, conversation: str,
                   body: ChatMessage) -> dict[str, Any] | JSONResponse:
    try:
        return await run_in_threadpool(chat_rooms(request).say, _address(request),
                                       conversation, body.text, body.choice)
    except TooMany as err:
        return _too_many(err)


@router.get("/api/chat/{conversation}/replies", response_model=None)
async def chat_replies(request: Request, conversation: str,
                       after: int = 0) -> dict[str, Any] | JSONResponse:
    try:
        return await run_in_threadpool(chat_rooms(request).replies, _address(request),
                                       conversation, after)
    except TooMany as err:
        return _too_many(err)


async def _woken(subscription: Subscription, conversation: str, timeout_s: float) -> bool:
    """Wait for an agent's reply to, or the end of, `conversation`: True when one came,
    False after `timeout_s`. Raises StopAsyncIteration when the subscription is over."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while (left := deadline - loop.time()) > 0:
        event = await subscription.next(left)
        if event is None:
            return False
        if event.call_id == conversation and (event.kind == "end" or event.speaker == "agent"):
            return True
    return False


def _start_index(request: Request, after: int) -> int:
    resumed = request.headers.get("last-event-id", "")
    return int(resumed) if resumed.isdigit() and len(resumed) < 10 else after


@router.get("/api/chat/{conversation}/stream", response_model=None)
async def chat_stream(request: Request, ctx: Ctx, conversation: str,
                      after: int = 0) -> StreamingResponse | JSONResponse:
    rooms = chat_rooms(request)
    address = _address(request)
    subscription = ctx.live.subscribe()  # before the first read: no reply falls in between
    try:
        view = await run_in_threadpool(rooms.replies, address, conversation,
                                       _start_index(request, after))
    except TooMany as err:
        subscription.close()
        return _too_many(err)
    except BaseException:
        subscription.close()
        raise

    async def stream() -> AsyncIterator[str]:
        nonlocal view
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STREAM_S
        live = True
        try:
            yield "retry: 3000\n\n"
            while True:
                if view["messages"] or view["ended"]:
                    yield f"id: {view['next']}\nevent: replies\ndata: {json.dumps(view)}\n\n"
                if view["ended"]:
                    return
                woken = True
                if live:
                    try:
                        woken = await _woken(subscription, conversation, WAKE_S)
                    except StopAsyncIteration:
                        if not subscription.dropped:
                            return  # the service is stopping
                        live = False
                if not live:
                    await asyncio.sleep(FALLBACK_S)
                if await request.is_disconnected() or loop.time() > deadline:
                    return
                if not woken:
                    yield ": keep-alive\n\n"
                try:
                    view = await run_in_threadpool(rooms.replies, address, conversation,
                                                   view["next"], limited=False)
                except NotFound:
                    yield "event: gone\ndata: {}\n\n"
                    return
        finally:
            subscription.close()

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"X-Accel-Buffering": "no"})


@router.post("/api/chat/{conversation}/end", status_code=204, response_model=None)
async def chat_end(request: Request, conversation: str) -> Response:
    try:
        await run_in_threadpool(chat_rooms(request).end, conversation, "citizen",
                                _address(request))
    except TooMany as err:
        return _too_many(err)
    return Response(status_code=204)
