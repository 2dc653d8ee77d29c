"""Back-office accounts, for admins: list, create, disable and re-enable.

Page: the "Comptes" section of /admin (forms post to /admin/users...). JSON: GET/POST
/api/users, POST /api/users/{username}/disable and /enable, PUT /api/users/{username}/phone
(`{"phone": "101"}` or null: the agent's phone, whose ringing calls the console shows). An
admin cannot disable their own account (nobody would be left to undo it). Disabling ends the
account's sessions at once.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from ivr.storage import users
from ivr.storage.errors import Conflict
from ivr.storage.web_sessions import SignedIn
from ivr.web.auth import AdminUser, CsrfChecked, Ctx, check_form_csrf

router = APIRouter()


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=2, max_length=64)
    password: str = Field(min_length=users.MIN_PASSWORD, max_length=users.MAX_PASSWORD)
    role: Literal["admin", "agent"]
    phone: str | None = Field(default=None, max_length=32)


class Phone(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: str | None = Field(max_length=32)


def _set_active(ctx: Ctx, who: SignedIn, username: str, active: bool) -> dict[str, Any]:
    if not active and username == who.user.username:
        raise Conflict("an admin cannot disable their own account")
    with ctx.database.transaction() as s:
        return asdict(users.set_active(s, username, active))


@router.post("/admin/users")
def admin_create_user(
    ctx: Ctx, who: AdminUser,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=users.MAX_PASSWORD)],
    role: Annotated[Literal["admin", "agent"], Form()],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    phone: Annotated[str, Form(max_length=32)] = "",
) -> RedirectResponse:
    check_form_csrf(who, csrf_token)
    with ctx.database.transaction() as s:
        users.create_user(s, ctx.hasher, username.strip(), password, role, phone=phone)
    return RedirectResponse("/admin?fait=compte#comptes", status_code=303)


@router.post("/admin/users/{username}/phone")
def admin_user_phone(
    ctx: Ctx, who: AdminUser, username: str,
    phone: Annotated[str, Form(max_length=32)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> RedirectResponse:
    check_form_csrf(who, csrf_token)
    with ctx.database.transaction() as s:
        users.set_phone(s, username, phone)
    return RedirectResponse("/admin?fait=poste#comptes", status_code=303)


@router.post("/admin/users/{username}/{action}")
def admin_switch_user(
    ctx: Ctx, who: AdminUser, username: str, action: Literal["disable", "enable"],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> RedirectResponse:
    check_form_csrf(who, csrf_token)
    _set_active(ctx, who, username, action == "enable")
    return RedirectResponse("/admin?fait=compte#comptes", status_code=303)


@router.get("/api/users")
def api_users(ctx: Ctx, who: AdminUser) -> list[dict[str, Any]]:
    with ctx.database.transaction() as s:
        return [asdict(u) for u in users.list_users(s)]


@router.post("/api/users", status_code=201, dependencies=[CsrfChecked])
def api_create_user(ctx: Ctx, who: AdminUser, body: NewUser) -> dict[str, Any]:
    with ctx.database.transaction() as s:
        return asdict(users.create_user(s, ctx.hasher, body.username, body.password, body.role,
                                        phone=body.phone))


@router.put("/api/users/{username}/phone", dependencies=[CsrfChecked])
def api_user_phone(ctx: Ctx, who: AdminUser, username: str, body: Phone) -> dict[str, Any]:
    with ctx.database.transaction() as s:
        return asdict(users.set_phone(s, username, body.phone))


@router.post("/api/users/{username}/{action}", dependencies=[CsrfChecked])
def api_switch_user(
    ctx: Ctx, who: AdminUser, username: str, action: Literal["disable", "enable"]
) -> dict[str, Any]:
    return _set_active(ctx, who, username, action == "enable")
