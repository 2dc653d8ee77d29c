"""Who is signed in, what they may do, and CSRF checks.

A session cookie (`ivr_session`: random token, HttpOnly, SameSite=Strict, Max-Age = session
lifetime, Secure when configured) points to a server-side session row. Pages and API share it.
Rules: no valid session -> 401; a role not allowed -> 403 (admins may also use agent pages).
Unsafe requests prove they come from our pages: forms carry the session's `csrf_token` field,
JSON calls its `X-CSRF-Token` header.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request, Response

from ivr.storage import web_sessions
from ivr.storage.web_sessions import SignedIn
from ivr.web.context import WebContext, web_context

SESSION_COOKIE = "ivr_session"
LOGIN_CSRF_COOKIE = "ivr_login_csrf"
CSRF_HEADER = "X-CSRF-Token"


class AuthError(Exception):
    """Refused request; `status` is 401 or 403, `code` machine-readable."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def set_session_cookie(response: Response, ctx: WebContext, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=ctx.settings.session_ttl_s, httponly=True,
        samesite="strict", secure=ctx.settings.cookie_secure, path="/",
    )


def clear_session_cookie(response: Response, ctx: WebContext) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict",
                           secure=ctx.settings.cookie_secure, path="/")


def open_session(ctx: WebContext, user_id: int) -> tuple[str, SignedIn]:
    with ctx.database.transaction() as s:
        return web_sessions.open_session(s, user_id, timedelta(seconds=ctx.settings.session_ttl_s))


Ctx = Annotated[WebContext, Depends(web_context)]


def signed_in(request: Request, ctx: Ctx) -> SignedIn:
    """The live session of the request; AuthError(401) without one."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        with ctx.database.transaction() as s:
            found = web_sessions.resolve(s, token)
        if found is not None:
            return found
    raise AuthError(401, "not_signed_in", "Connexion requise.")


def require_role(*roles: str) -> Callable[..., SignedIn]:
    """A dependency giving the session when its user has one of the roles, else 403."""

    def dependency(who: Annotated[SignedIn, Depends(signed_in)]) -> SignedIn:
        if who.user.role not in roles:
            raise AuthError(403, "forbidden", "Votre rôle ne permet pas cette action.")
        return who

    return dependency


AgentUser = Annotated[SignedIn, Depends(require_role("agent", "admin"))]
"""An agent or an admin (admins may use the agent pages)."""
AdminUser = Annotated[SignedIn, Depends(require_role("admin"))]


def same_token(given: str | None, expected: str) -> bool:
    return given is not None and secrets.compare_digest(given.encode(), expected.encode())


def check_form_csrf(who: SignedIn, token: str | None) -> None:
    if not same_token(token, who.csrf_token):
        raise AuthError(403, "csrf", "Formulaire expiré ou invalide : rechargez la page.")


def api_csrf(request: Request, who: Annotated[SignedIn, Depends(signed_in)]) -> None:
    """For unsafe JSON calls: the X-CSRF-Token header must match the session."""
    if not same_token(request.headers.get(CSRF_HEADER), who.csrf_token):
        raise AuthError(403, "csrf", f"missing or wrong {CSRF_HEADER} header")


CsrfChecked = Depends(api_csrf)
"""Add to an unsafe JSON route's `dependencies=[...]`."""
