"""The agent's work: callback requests (mark done) and incident tickets (status, notes).

Page: GET /agent, with two small forms per row. JSON: /api/callbacks, /api/tickets.
Agents and admins may use them.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ivr.storage import callbacks, tickets
from ivr.web.auth import AgentUser, CsrfChecked, Ctx, check_form_csrf

router = APIRouter()

TICKET_LABELS = {"open": "Ouvert", "in_progress": "En cours", "closed": "Clos"}
NOTICES = {"rappel": "Demande de rappel marquée comme traitée.",
           "signalement": "Signalement enregistré."}


class TicketChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["open", "in_progress", "closed"] | None = None
    notes: str | None = Field(default=None, max_length=tickets.MAX_NOTES)

    @model_validator(mode="after")
    def _something(self) -> TicketChange:
        if self.status is None and self.notes is None:
            raise ValueError("give a status, notes, or both")
        return self


@router.get("/agent", response_class=HTMLResponse)
def agent_page(request: Request, ctx: Ctx, who: AgentUser, fait: str = "") -> HTMLResponse:
    with ctx.database.transaction() as s:
        pending = callbacks.list_callbacks(s, status="pending")
        open_tickets = [t for t in tickets.list_tickets(s) if t.status != "closed"]
    return ctx.templates.TemplateResponse(request, "agent.html", {
        "who": who, "callbacks": pending, "tickets": open_tickets,
        "live_calls": len(ctx.live.snapshot()),
        "ticket_labels": TICKET_LABELS, "notice": NOTICES.get(fait),
    })


@router.post("/agent/callbacks/{callback_id}/done")
def agent_callback_done(
    ctx: Ctx, who: AgentUser, callback_id: int,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> RedirectResponse:
    check_form_csrf(who, csrf_token)
    with ctx.database.transaction() as s:
        callbacks.mark_done(s, callback_id, by=who.user.username)
    return RedirectResponse("/agent?fait=rappel#rappels", status_code=303)


@router.post("/agent/tickets/{ticket_id}")
def agent_ticket_update(
    ctx: Ctx, who: AgentUser, ticket_id: int,
    status: Annotated[str, Form(max_length=16)],
    notes: Annotated[str, Form(max_length=tickets.MAX_NOTES)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> RedirectResponse:
    check_form_csrf(who, csrf_token)
    with ctx.database.transaction() as s:
        tickets.update_ticket(s, ticket_id, by=who.user.username, status=status, notes=notes)
    return RedirectResponse("/agent?fait=signalement#signalements", status_code=303)


@router.get("/api/callbacks")
def api_callbacks(
    ctx: Ctx, who: AgentUser, status: Literal["pending", "done"] | None = None
) -> list[dict[str, Any]]:
    with ctx.database.transaction() as s:
        return [asdict(c) for c in callbacks.list_callbacks(s, status=status)]


@router.post("/api/callbacks/{callback_id}/done", dependencies=[CsrfChecked])
def api_callback_done(ctx: Ctx, who: AgentUser, callback_id: int) -> dict[str, Any]:
    with ctx.database.transaction() as s:
        return asdict(callbacks.mark_done(s, callback_id, by=who.user.username))


@router.get("/api/tickets")
def api_tickets(
    ctx: Ctx, who: AgentUser, status: Literal["open", "in_progress", "closed"] | None = None
) -> list[dict[str, Any]]:
    with ctx.database.transaction() as s:
        return [asdict(t) for t in tickets.list_tickets(s, status=status)]


@router.patch("/api/tickets/{ticket_id}", dependencies=[CsrfChecked])
def api_ticket_update(
    ctx: Ctx, who: AgentUser, ticket_id: int, change: TicketChange
) -> dict[str, Any]:
    with ctx.database.transaction() as s:
        record = tickets.update_ticket(s, ticket_id, by=who.user.username,
                                       status=change.status, notes=change.notes)
    return asdict(record)
