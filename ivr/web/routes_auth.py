"""Signing in and out: the login page (form) and the JSON session API.

Failed sign-ins count against the pair (client address, username): after `login_max_failures`
within `login_window_s` that address gets 429 with Retry-After for that username, whatever
the password, while the user can still sign in from elsewhere. They also count against the
client address alone (`ctx.limiter` for pairs, `app.state.sign_in_by_address` with
`ADDRESS_FACTOR` times the limit), so one address cannot try many usernames. The client
address is `ivr.web.client_address`'s. The login form is protected by a double-submit CSRF
cookie.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from ivr.storage import users, web_sessions
from ivr.storage.errors import StorageError
from ivr.storage.records import UserRecord
from ivr.storage.web_sessions import SignedIn
from ivr.web.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfChecked,
    Ctx,
    check_form_csrf,
    clear_session_cookie,
    open_session,
    same_token,
    set_session_cookie,
    signed_in,
)
from ivr.web.client_address import client_address
from ivr.web.context import WebContext
from ivr.web.ratelimit import Limiter

router = APIRouter()


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def attempt_login(ctx: WebContext, request: Request, username: str, password: str
                  ) -> UserRecord | None:
    """Check the rate limits, then the password; TooManyAttempts when blocked."""
    address = client_address(request)
    pair = [f"pair:{address}|{username.strip().lower()}"]
    alone = [f"addr:{address}"]
    by_address: Limiter = request.app.state.sign_in_by_address
    wait = max(ctx.limiter.retry_after(pair) or 0, by_address.retry_after(alone) or 0)
    if wait:
        ctx.metrics.login_failures.inc()
        raise TooManyAttempts(wait)
    with ctx.database.transaction() as s:
        user = users.authenticate(s, ctx.hasher, username.strip().lower(), password)
    if user is None:
        ctx.metrics.login_failures.inc()
        ctx.limiter.failure(pair)
        by_address.failure(alone)
        return None
    ctx.limiter.success(pair[0])
    return user


def login_page(ctx: WebContext, request: Request, status: int = 200,
               error: str | None = None, username: str = "") -> HTMLResponse:
    """The login page (also shown, with 401, in place of a page that needs signing in)."""
    token = secrets.token_urlsafe(32)
    try:
        with ctx.database.transaction() as s:
            no_account = not users.has_accounts(s)
    except StorageError:
        no_account = False  # the page still shows; /healthz tells about the database
    response = ctx.templates.TemplateResponse(
        request, "login.html", {"csrf_token": token, "error": error, "username": username,
                                "who": None, "no_account": no_account}, status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=ctx.settings.cookie_secure, path="/login", max_age=3600)
    return response


@router.get("/login", response_class=HTMLResponse)
def get_login(request: Request, ctx: Ctx) -> HTMLResponse:
    return login_page(ctx, request)


@router.post("/login", response_model=None)
def post_login(
    request: Request,
    ctx: Ctx,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    if not same_token(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE, "")) or not csrf_token:
        return login_page(ctx, request, 403, "Le formulaire a expiré : veuillez réessayer.",
                          username)
    if not username or not password:
        return login_page(ctx, request, 422, "Indiquez votre identifiant et votre mot de passe.",
                          username)
    try:
        user = attempt_login(ctx, request, username, password)
    except TooManyAttempts as err:
        page = login_page(ctx, request, 429, "Trop de tentatives. Réessayez dans "
                          f"{err.retry_after} secondes.", username)
        page.headers["Retry-After"] = str(err.retry_after)
        return page
    if user is None:
        return login_page(ctx, request, 401, "Identifiant ou mot de passe incorrect.", username)
    token, _ = open_session(ctx, user.id)
    response = RedirectResponse("/admin" if user.role == "admin" else "/agent", status_code=303)
    set_session_cookie(response, ctx, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def post_logout(request: Request, ctx: Ctx,
                csrf_token: Annotated[str, Form(max_length=128)] = "") -> RedirectResponse:
    # SameSite=Strict is not enough alone: a sibling site of the same domain (the town's
    # website on www.<town>.fr) is "same-site" and could sign agents out in mid-call. A live
    # session ends only with its CSRF field; without one there is nothing to protect.
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        with ctx.database.transaction() as s:
            found = web_sessions.resolve(s, token)
            if found is not None:
                check_form_csrf(found, csrf_token)
            web_sessions.close_session(s, token)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, ctx)
    return response


@router.post("/api/session")
def api_login(request: Request, ctx: Ctx, credentials: Credentials) -> JSONResponse:
    try:
        user = attempt_login(ctx, request, credentials.username, credentials.password)
    except TooManyAttempts as err:
        return JSONResponse({"code": "too_many_attempts", "message": str(err)}, status_code=429,
                            headers={"Retry-After": str(err.retry_after)})
    if user is None:
        return JSONResponse({"code": "bad_credentials",
                             "message": "wrong username or password"}, status_code=401)
    token, session = open_session(ctx, user.id)
    response = JSONResponse({"username": user.username, "role": user.role,
                             "csrf_token": session.csrf_token,
                             "expires_at": session.expires_at.isoformat()})
    set_session_cookie(response, ctx, token)
    return response


@router.get("/api/session")
def api_whoami(who: Annotated[SignedIn, Depends(signed_in)]) -> dict[str, str]:
    return {"username": who.user.username, "role": who.user.role,
            "csrf_token": who.csrf_token, "expires_at": who.expires_at.isoformat()}


@router.delete("/api/session", status_code=204, dependencies=[CsrfChecked])
def api_logout(request: Request, ctx: Ctx) -> Response:
    with ctx.database.transaction() as s:
        web_sessions.close_session(s, request.cookies.get(SESSION_COOKIE, ""))
    response = Response(status_code=204)
    clear_session_cookie(response, ctx)
    return response
