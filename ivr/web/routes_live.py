"""Calls for agents: the calls in progress (live, from the `LiveHub`) and recent calls (from
the database), one call's context and transcript, and the server-sent event stream.

Pages: GET /agent/calls (the list; its table is refreshed from /agent/calls/tableau when an
event arrives), GET /agent/calls/{call_id} (the page put into a transferred call's channel
variables: intent, slots, summary, transcript so far, updated live), GET
/agent/calls/{call_id}/sonnerie (the screen-pop: who, why and what was said, shown on the list
page while the signed-in agent's phone rings for that call). Stream: GET
/agent/live/events[?call=ID] (text/event-stream; event name = kind, data = the event as JSON,
text masked; a comment every 15 s keeps proxies from closing it; "ringing", "ring_end" and
"agent_end" only reach the agents whose account names that phone). JSON: GET /api/live/calls.
Agents and admins. A web chat handed over to an agent shows a reply form on its page
(`ivr.web.routes_chat_agent`; on the page of a chat still with the flow, the form appears
when the transfer event arrives); the agent's replies are turns of speaker "agent".
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from ivr.live import PHONE_KINDS, CallEvent, LiveCall
from ivr.privacy.masking import mask_text
from ivr.storage import calls, web_sessions
from ivr.storage.records import CallRecord
from ivr.storage.types import utc_now
from ivr.web.auth import SESSION_COOKIE, AgentUser, Ctx
from ivr.web.context import WebContext
from ivr.web.routes_chat import chat_rooms

router = APIRouter()
KEEPALIVE_S = 15.0
RECENT = timedelta(hours=12)
OUTCOMES = {"resolved": "résolu par l’assistant", "transferred": "transféré",
            "callback": "rappel demandé", "abandoned": "raccroché"}
SPEAKERS = {"caller": ("appelant", "Appelant"), "assistant": ("assistant", "Assistant"),
            "agent": ("conseiller", "Conseiller")}
"""Speaker -> (CSS class, French label) in transcripts."""


def event_view(event: CallEvent) -> dict[str, Any]:
    """An event as sent to browsers, its text masked (whatever the publisher did)."""
    data = event.as_json()
    if data["text"]:
        data["text"] = mask_text(data["text"])
    if data["reason"]:
        data["reason"] = mask_text(data["reason"])
    return data


def _lists(ctx: WebContext) -> dict[str, Any]:
    live = ctx.live.snapshot()
    with ctx.database.transaction() as s:
        recent = calls.list_calls(s, since=utc_now() - RECENT, limit=50)
    known = {c.call_id for c in live}
    return {"live": live, "recent": [c for c in recent if c.id not in known],
            "outcomes": OUTCOMES}


@router.get("/agent/calls", response_class=HTMLResponse)
def calls_page(request: Request, ctx: Ctx, who: AgentUser) -> HTMLResponse:
    return ctx.templates.TemplateResponse(request, "calls.html", {"who": who, **_lists(ctx)})


@router.get("/agent/calls/tableau", response_class=HTMLResponse)
def calls_fragment(request: Request, ctx: Ctx, who: AgentUser) -> HTMLResponse:
    return ctx.templates.TemplateResponse(request, "calls_tables.html",
                                          {"who": who, **_lists(ctx)})


def _from_database(record: CallRecord) -> dict[str, Any]:
    intent = next((t.intent for t in reversed(record.turns) if t.intent), None)
    return {"id": record.id, "live": False, "caller": record.caller_number,
            "started_at": record.started_at, "intent": intent, "slots": {},
            "summary": record.summary, "queue": record.transfer_queue,
            "reason": record.transfer_reason, "outcome": record.outcome,
            "agent": record.transfer_agent,
            "turns": [{"speaker": t.speaker, "text": t.text, "intent": t.intent, "at": t.at}
                      for t in record.turns]}


def _from_hub(call: LiveCall) -> dict[str, Any]:
    transfer = call.transfer
    return {"id": call.call_id, "live": True, "caller": call.caller,
            "started_at": call.started_at, "intent": call.last_intent, "slots": call.slots,
            "summary": mask_text(transfer.text) if transfer and transfer.text else None,
            "queue": transfer.queue if transfer else None,
            "reason": mask_text(transfer.reason) if transfer and transfer.reason else None,
            "outcome": None, "agent": call.answered_by,
            "turns": [{"speaker": e.speaker, "text": mask_text(e.text or ""),
                       "intent": e.intent, "at": e.at} for e in call.turns]}


def _call_view(ctx: WebContext, live: LiveCall | None, call_id: str) -> dict[str, Any]:
    """A call's view from the hub when it has the call, else from the database."""
    if live is not None:
        return _from_hub(live)
    with ctx.database.transaction() as s:
        return _from_database(calls.get_call(s, call_id))


@router.get("/agent/calls/{call_id}", response_class=HTMLResponse)
def call_page(request: Request, ctx: Ctx, who: AgentUser, call_id: str) -> HTMLResponse:
    view = _call_view(ctx, ctx.live.call(call_id), call_id)
    return ctx.templates.TemplateResponse(request, "call.html", {
        "who": who, "call": view, "outcomes": OUTCOMES, "speakers": SPEAKERS,
        "chat_stage": chat_rooms(request).stage(call_id)})


POP_TURNS = 6
"""Turns shown in the screen-pop (the last ones); the call's page has them all."""


@router.get("/agent/calls/{call_id}/sonnerie", response_class=HTMLResponse)
def ringing_fragment(request: Request, ctx: Ctx, who: AgentUser, call_id: str) -> HTMLResponse:
    view = _call_view(ctx, ctx.live.handed(call_id), call_id)
    return ctx.templates.TemplateResponse(request, "call_pop.html", {
        "who": who, "call": view, "speakers": SPEAKERS,
        "turns": view["turns"][-POP_TURNS:], "earlier": max(0, len(view["turns"]) - POP_TURNS)})


def delivered(event: CallEvent, phone: str | None, call: str | None) -> bool:
    """Whether a subscriber gets an event: the call it follows (all with None), and of the
    phone events only those of its own phone ("answered" goes to everyone: the call's page
    shows who took it)."""
    if call is not None and event.call_id != call:
        return False
    return event.kind not in PHONE_KINDS or event.kind == "answered" or event.agent == phone


@router.get("/api/live/calls")
def live_calls(ctx: Ctx, who: AgentUser) -> list[dict[str, Any]]:
    return [{"call_id": c.call_id, "started_at": c.started_at.isoformat(), "caller": c.caller,
             "events": [event_view(e) for e in c.events]} for c in ctx.live.snapshot()]


@router.get("/agent/live/events")
async def live_events(request: Request, ctx: Ctx, who: AgentUser,
                      call: str | None = None) -> StreamingResponse:
    """Server-sent events of the live calls, until the browser leaves or the session ends
    (signed out, expired, password changed, user disabled: checked every
    `WebSettings.session_recheck_s`); then a last `ended` event."""
    subscription = ctx.live.subscribe()
    token = request.cookies.get(SESSION_COOKIE, "")
    recheck_s = ctx.settings.session_recheck_s
    wait_s = min(KEEPALIVE_S, recheck_s)
    phone = who.user.phone

    async def stream() -> AsyncIterator[str]:
        nonlocal phone
        loop = asyncio.get_running_loop()
        checked = loop.time()
        try:
            yield "retry: 3000\n\n"
            while not await request.is_disconnected():
                try:
                    event = await subscription.next(wait_s)
                except StopAsyncIteration:
                    return
                if loop.time() - checked >= recheck_s:
                    checked = loop.time()
                    signed_in = await ctx.database.run(web_sessions.resolve, token)
                    if signed_in is None:
                        yield "event: ended\ndata: {}\n\n"
                        return
                    phone = signed_in.user.phone  # an admin may have changed it
                if event is None:
                    yield ": keep-alive\n\n"
                elif delivered(event, phone, call):
                    yield f"event: {event.kind}\ndata: {json.dumps(event_view(event))}\n\n"
        finally:
            subscription.close()

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"X-Accel-Buffering": "no"})

