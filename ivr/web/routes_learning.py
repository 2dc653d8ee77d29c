"""The learning page of the back office (admins only): what callers said that was not
understood, grouped, and one form per group to give it to an intent.

GET /admin/apprentissage?parcours=mairie&jours=30 lists the groups (most said first) of the
published flow. POST /admin/apprentissage (form: csrf_token, parcours, intention, phrase...)
adds the phrases as examples in a new version (`ivr.web.learning.assign`) and redirects to
it (303); a refused assignment is shown again with the broken held-out lines and failing
conversations (422), and nothing is stored.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dialogs.nlu.grouping import OUT_OF_SCOPE_TARGET
from ivr.flows_live import DEFAULT_FLOW
from ivr.storage.errors import InvalidValue
from ivr.storage.web_sessions import SignedIn
from ivr.web.auth import AdminUser, Ctx, check_form_csrf
from ivr.web.context import WebContext
from ivr.web.learning import Assignment, assign, missed_groups

router = APIRouter()
MAX_DAYS = 366


def _render(request: Request, ctx: WebContext, who: SignedIn, flow: str, days: int,
            refused: Assignment | None = None) -> HTMLResponse:
    if not 1 <= days <= MAX_DAYS:
        raise InvalidValue(f"the period is 1 to {MAX_DAYS} days")
    now = datetime.now(ZoneInfo(ctx.settings.timezone)).replace(tzinfo=None)
    found = missed_groups(ctx, flow, days, now)
    return ctx.templates.TemplateResponse(request, "learning.html", {
        "who": who, "flow": flow, "days": days, "found": found,
        "out_of_scope": OUT_OF_SCOPE_TARGET, "refused": refused},
        status_code=200 if refused is None else 422)


@router.get("/admin/apprentissage", response_class=HTMLResponse)
async def learning_page(request: Request, ctx: Ctx, who: AdminUser,
                        parcours: str = DEFAULT_FLOW, jours: int = 30) -> HTMLResponse:
    return await run_in_threadpool(_render, request, ctx, who, parcours, jours)


@router.post("/admin/apprentissage", response_model=None)
async def learning_assign(request: Request, ctx: Ctx, who: AdminUser) -> Response:
    form = await request.form()
    check_form_csrf(who, _one(form.get("csrf_token")))
    flow = _one(form.get("parcours")) or DEFAULT_FLOW
    target = _one(form.get("intention"))
    phrases = [p for p in form.getlist("phrase") if isinstance(p, str) and p.strip()]
    if not target or not phrases:
        raise InvalidValue("choose an intent for phrases of a group")
    result = await run_in_threadpool(assign, ctx, who, flow, target, phrases)
    if result.record is None:
        return await run_in_threadpool(_render, request, ctx, who, flow, 30, result)
    return RedirectResponse(
        f"/admin/flows/{result.record.name}/{result.record.version}?fait=enregistre",
        status_code=303)


def _one(value: object) -> str | None:
    return value if isinstance(value, str) else None
