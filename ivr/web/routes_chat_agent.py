"""Agents answering web chats handed over to them (agents and admins, JSON, CSRF header).

POST /api/agent/chats/{id}/messages with `{"text": TEXT}` (1-500 characters) -> `{"id",
"next"}`: the reply reaches the citizen's page at its next fetch and the conversation's
transcript (masked when stored). POST /api/agent/chats/{id}/end -> 204: the citizen's page
says the agent ended the conversation. 404 for an unknown or finished chat, 409 for a chat
not handed over to an agent (or already ended), 422 for an empty or too long text, 401/403
without an agent's session or without the `X-CSRF-Token` header.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ivr.web.auth import AgentUser, CsrfChecked
from ivr.web.routes_chat import MAX_TEXT, chat_rooms

router = APIRouter()


class AgentReply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=MAX_TEXT)


@router.post("/api/agent/chats/{conversation}/messages", dependencies=[CsrfChecked])
async def agent_reply(request: Request, who: AgentUser, conversation: str,
                      body: AgentReply) -> dict[str, Any]:
    return await run_in_threadpool(chat_rooms(request).agent_writes, conversation, body.text)


@router.post("/api/agent/chats/{conversation}/end", status_code=204,
             dependencies=[CsrfChecked])
async def agent_end(request: Request, who: AgentUser, conversation: str) -> Response:
    await run_in_threadpool(chat_rooms(request).end, conversation, "agent")
    return Response(status_code=204)
