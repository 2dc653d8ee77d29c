"""Privacy for admins: the settings (store audio or not, retention days) and a person's data
by phone number (export as JSON, erasure).

Page forms (on /admin): POST /admin/settings, /admin/privacy/export (downloads the JSON file),
/admin/privacy/erase (needs the confirmation box ticked). JSON: GET/PUT /api/settings,
POST /api/privacy/export and /api/privacy/erase. Phone numbers travel in POST bodies, never in
URLs, so they do not end up in access logs.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from ivr.privacy.subject import erase_phone, export_phone
from ivr.storage import options
from ivr.storage.errors import InvalidValue
from ivr.web.auth import AdminUser, CsrfChecked, Ctx, check_form_csrf

router = APIRouter()


class SettingsChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    store_audio: bool | None = None
    retention_days: int | None = Field(default=None, ge=1, le=options.MAX_RETENTION_DAYS)

    @model_validator(mode="after")
    def _something(self) -> SettingsChange:
        if self.store_audio is None and self.retention_days is None:
            raise ValueError("give store_audio, retention_days, or both")
        return self


class PhoneNumber(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: str = Field(min_length=2, max_length=32)


def _settings(session: Session) -> dict[str, Any]:
    return {"store_audio": options.store_audio(session),
            "retention_days": options.retention_days(session)}


@router.post("/admin/settings")
def admin_settings(
    ctx: Ctx, who: AdminUser,
    retention_days: Annotated[int, Form(ge=1, le=options.MAX_RETENTION_DAYS)],
    store_audio: Annotated[str, Form(max_length=8)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> RedirectResponse:
    check_form_csrf(who, csrf_token)
    with ctx.database.transaction() as s:
        options.set_store_audio(s, store_audio == "on")
        options.set_retention_days(s, retention_days)
    return RedirectResponse("/admin?fait=reglages#confidentialite", status_code=303)


@router.post("/admin/privacy/export")
def admin_export(
    ctx: Ctx, who: AdminUser,
    phone: Annotated[str, Form(min_length=2, max_length=32)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    check_form_csrf(who, csrf_token)
    with ctx.database.transaction() as s:
        data = export_phone(s, phone)
    filename = f"export-{data['phone'].lstrip('+')}.json"
    return Response(json.dumps(data, ensure_ascii=False, indent=2), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.post("/admin/privacy/erase")
def admin_erase(
    ctx: Ctx, who: AdminUser,
    phone: Annotated[str, Form(min_length=2, max_length=32)],
    confirm: Annotated[str, Form(max_length=8)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> RedirectResponse:
    check_form_csrf(who, csrf_token)
    if confirm != "on":
        raise InvalidValue("cochez la case de confirmation pour effacer")
    with ctx.database.transaction() as s:
        erase_phone(s, phone)
    return RedirectResponse("/admin?fait=effacement#confidentialite", status_code=303)


@router.get("/api/settings")
def api_settings(ctx: Ctx, who: AdminUser) -> dict[str, Any]:
    with ctx.database.transaction() as s:
        return _settings(s)


@router.put("/api/settings", dependencies=[CsrfChecked])
def api_change_settings(ctx: Ctx, who: AdminUser, change: SettingsChange) -> dict[str, Any]:
    with ctx.database.transaction() as s:
        if change.store_audio is not None:
            options.set_store_audio(s, change.store_audio)
        if change.retention_days is not None:
            options.set_retention_days(s, change.retention_days)
        return _settings(s)


@router.post("/api/privacy/export", dependencies=[CsrfChecked])
def api_privacy_export(ctx: Ctx, who: AdminUser, body: PhoneNumber) -> dict[str, Any]:
    with ctx.database.transaction() as s:
        return export_phone(s, body.phone)


@router.post("/api/privacy/erase", dependencies=[CsrfChecked])
def api_privacy_erase(ctx: Ctx, who: AdminUser, body: PhoneNumber) -> dict[str, Any]:
    with ctx.database.transaction() as s:
        return {"phone_erased": True, "deleted": erase_phone(s, body.phone)}
