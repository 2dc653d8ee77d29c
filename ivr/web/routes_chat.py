"""The citizens' web chat: an embeddable page and its JSON API (no sign-in).

Page: GET /chat (French, embeddable in an iframe on the town's website; /static/chat.js).
API: POST /api/chat/start -> `{"id", "messages": [TEXT], "ended", "transfer"}`;
POST /api/chat/{id}/say with `{"text": TEXT}` or `{"choice": DIGITS}` -> the same shape.
429 with `Retry-After` (seconds) past the rate limits, 404 once a conversation has ended or
expired. The conversations live in `ChatRooms` (`ivr.web.chat`) on `app.state.chat`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ivr.web.auth import Ctx
from ivr.web.chat import ChatRooms, TooMany

router = APIRouter()


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(default=None, max_length=500)
    choice: str | None = Field(default=None, pattern=r"^[0-9*#]{1,20}$")


def _rooms(request: Request) -> ChatRooms:
    rooms: ChatRooms = request.app.state.chat
    return rooms


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _too_many(err: TooMany) -> JSONResponse:
    return JSONResponse({"code": err.code, "message": str(err)}, status_code=429,
                        headers={"Retry-After": str(err.retry_after)})


@router.get("/chat", response_class=HTMLResponse)
def chat_page(request: Request, ctx: Ctx) -> Response:
    """The chat page; the app lets any site frame it (see `EMBEDDABLE_PATHS`)."""
    return ctx.templates.TemplateResponse(request, "chat.html", {})


@router.post("/api/chat/start", response_model=None)
async def chat_start(request: Request) -> dict[str, Any] | JSONResponse:
    try:
        return await run_in_threadpool(_rooms(request).start, _address(request))
    except TooMany as err:
        return _too_many(err)


@router.post("/api/chat/{conversation}/say", response_model=None)
async def chat_say(request: Request, conversation: str,
                   body: ChatMessage) -> dict[str, Any] | JSONResponse:
    try:
        return await run_in_threadpool(_rooms(request).say, _address(request), conversation,
                                       body.text, body.choice)
    except TooMany as err:
        return _too_many(err)
