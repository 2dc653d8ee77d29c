"""The citizens' web chat: an embeddable page and its JSON API (no sign-in).

Page: GET /chat (French, embeddable in an iframe on the town's website; /static/chat.js).
API: POST /api/chat/start -> `{"id", "messages": [TEXT], "ended", "transfer", "agent"}`;
POST /api/chat/{id}/say with `{"text": TEXT}` or `{"choice": DIGITS}` -> the same shape
(once `agent` is true the message goes to the agents' console, `messages` is empty);
GET /api/chat/{id}/replies?after=N -> `{"id", "messages": [the agent's replies from the
N-th], "next", "ended", "ended_by"}`; POST /api/chat/{id}/end -> 204.
429 with `Retry-After` (seconds) past the rate limits or when the chat is full of other
clients' conversations (the client is `ivr.web.client_address`'s), 404 once a conversation
has ended or expired, 409 when fetching replies of a conversation not handed over, 503 with a French
`message` (the town hall's phone number when configured) when no flow can be played.
The conversations live in `ChatRooms` (`ivr.web.chat`) on `app.state.chat`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ivr.web.auth import Ctx
from ivr.web.chat import ChatRooms
from ivr.web.chat_settings import ChatUnavailable, TooMany
from ivr.web.client_address import client_address

router = APIRouter()
MAX_TEXT = 500
"""Longest chat message, characters (citizens' and agents')."""


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


@router.post("/api/chat/{conversation}/end", status_code=204, response_model=None)
async def chat_end(request: Request, conversation: str) -> Response:
    try:
        await run_in_threadpool(chat_rooms(request).end, conversation, "citizen",
                                _address(request))
    except TooMany as err:
        return _too_many(err)
    return Response(status_code=204)
