"""The learning page of the back office (admins only): what callers said that was not
understood, grouped, with per group a form to give it to an intent and one to make it a new
answer; and, apart, what the recogniser heard with low confidence.

GET /admin/apprentissage?parcours=mairie&jours=30 lists the groups (most said first) of the
published flow. POST /admin/apprentissage (form: csrf_token, parcours, intention, phrase...)
adds the phrases as examples in a new version (`ivr.web.learning.assign`); POST
/admin/apprentissage/reponse (form: csrf_token, parcours, titre, reponse, phrase...) makes
them a new intent answered by a new knowledge-base entry (`assign_new_answer`). Both
redirect to the new version (303); a refused assignment is shown again with the broken
held-out lines and failing conversations (422), and nothing is stored.
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
from ivr.web.learning import (
    MISHEARD_BELOW,
    Assignment,
    assign,
    assign_new_answer,
    missed_groups,
)

router = APIRouter()
MAX_DAYS = 366
MAX_TITLE = 60
"""Longest title of a new answer (it names the new intent), characters."""
MAX_ANSWER = 1000
"""Longest text of a new answer, characters."""


def _render(request: Request, ctx: WebContext, who: SignedIn, flow: str, days: int,
            refused: Assignment | None = None) -> HTMLResponse:
    if not 1 <= days <= MAX_DAYS:
        raise InvalidValue(f"the period is 1 to {MAX_DAYS} days")
    now = datetime.now(ZoneInfo(ctx.settings.timezone)).replace(tzinfo=None)
    found = missed_groups(ctx, flow, days, now)
    return ctx.templates.TemplateResponse(request, "learning.html", {
        "who": who, "flow": flow, "days": days, "found": found,
        "out_of_scope": OUT_OF_SCOPE_TARGET, "refused": refused,
        "misheard_below": MISHEARD_BELOW},
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
    return await _outcome(request, ctx, who, flow, result)


@router.post("/admin/apprentissage/reponse", response_model=None)
async def learning_new_answer(request: Request, ctx: Ctx, who: AdminUser) -> Response:
    form = await request.form()
    check_form_csrf(who, _one(form.get("csrf_token")))
    flow = _one(form.get("parcours")) or DEFAULT_FLOW
    title = (_one(form.get("titre")) or "").strip()
    answer = (_one(form.get("reponse")) or "").strip()
    phrases = [p for p in form.getlist("phrase") if isinstance(p, str) and p.strip()]
    if not title or not answer or not phrases:
        raise InvalidValue("a new answer needs a title, its text and the group's phrases")
    if len(title) > MAX_TITLE or len(answer) > MAX_ANSWER:
        raise InvalidValue(f"at most {MAX_TITLE} characters for the title and {MAX_ANSWER} "
                           "for the answer")
    result = await run_in_threadpool(assign_new_answer, ctx, who, flow, title, answer,
                                     phrases)
    return await _outcome(request, ctx, who, flow, result)


async def _outcome(request: Request, ctx: WebContext, who: SignedIn, flow: str,
                   result: Assignment) -> Response:
    if result.record is None:
        return await run_in_threadpool(_render, request, ctx, who, flow, 30, result)
    return RedirectResponse(
        f"/admin/flows/{result.record.name}/{result.record.version}?fait=enregistre",
        status_code=303)


def _one(value: object) -> str | None:
    return value if isinstance(value, str) else None
