"""Talking to a flow version in the browser: the simulator page and its JSON API.

Page: GET /admin/flows/{name}/{version}/simulateur. API: POST /api/simulator/{name}/{version}
with `{"state": CALLSTATE_JSON | null, "input": LINE, "now": "YYYY-MM-DDTHH:MM" | null}`:
no state starts a call (the greeting); LINE is what `ivr chat` reads (text is speech,
"dtmf:12#" keypad digits, "" silence). The answer is `{"state": ..., "turn": {"node",
"intent", "slots", "say", "action", "transfer"}, "ended": bool}`. The call state travels with
the browser (JSON), so the server keeps nothing per conversation; the real engine runs on the
checked version, with appointments and tickets kept in memory only (nothing is booked).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dialogs.engine import Engine
from dialogs.hours import HoursFile
from dialogs.services import InMemoryServices
from dialogs.simulator import Call, parse_line
from dialogs.state import CallState
from dialogs.transcript import turn_view
from ivr.storage import flow_bundles
from ivr.storage.errors import InvalidValue
from ivr.web.auth import AdminUser, CsrfChecked, Ctx

router = APIRouter()
MAX_STATE = 500_000


class SimulatorTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: str | None = Field(default=None, max_length=MAX_STATE)
    input: str = Field(default="", max_length=500)
    now: datetime | None = None


@router.get("/admin/flows/{name}/{version}/simulateur", response_class=HTMLResponse)
def simulator_page(request: Request, ctx: Ctx, who: AdminUser, name: str,
                   version: int) -> HTMLResponse:
    with ctx.database.transaction() as s:
        bundle = flow_bundles.get_bundle(s, name, version)
    now = datetime.now(ZoneInfo(ctx.settings.timezone)).strftime("%Y-%m-%dT%H:%M")
    return ctx.templates.TemplateResponse(request, "simulator.html", {
        "who": who, "v": bundle.version, "now": now})


@router.post("/api/simulator/{name}/{version}", dependencies=[CsrfChecked])
def simulator_turn(ctx: Ctx, who: AdminUser, name: str, version: int,
                   body: SimulatorTurn) -> dict[str, Any]:
    live = ctx.flows.version(name, version)
    now = body.now or datetime.now(ZoneInfo(ctx.settings.timezone)).replace(tzinfo=None)
    now = now.replace(tzinfo=None)
    state = None
    if body.state is not None:
        try:
            state = CallState.model_validate_json(body.state)
        except ValidationError as err:
            raise InvalidValue("the simulator state is not a call state") from err
        if state.node not in live.loaded.flow.nodes:
            raise InvalidValue(f"node {state.node} is not in version {version} of {name}")
    services = InMemoryServices(live.loaded.hours or HoursFile(services={}))
    call = Call(Engine(live.loaded, live.understander, services), now, state)
    if state is not None:
        call.send(parse_line(body.input))
    return {"state": call.current.model_dump_json(), "turn": turn_view(call.last_turn),
            "ended": call.current.ended}
