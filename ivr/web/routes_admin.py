"""The admin's pages and API: flow versions, privacy settings, a person's data by number.

Page: GET /admin (flow versions with publish buttons, recorded prompts, privacy settings).
JSON: /api/flows, /api/settings, /api/privacy/export and /api/privacy/erase (phone numbers
travel in POST bodies, never in URLs, so they do not end up in access logs). Admins only.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ivr.privacy.subject import erase_phone, export_phone
from ivr.storage import flows, options, prompts
from ivr.web.auth import AdminUser, CsrfChecked, Ctx, check_form_csrf

router = APIRouter()
NOTICES = {"publication": "Version publiée.", "message": "Message enregistré."}


class NewFlowVersion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    yaml_text: str = Field(min_length=1, max_length=flows.MAX_YAML)


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


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, ctx: Ctx, who: AdminUser, fait: str = "") -> HTMLResponse:
    with ctx.database.transaction() as s:
        versions = flows.list_versions(s)
        recorded = prompts.list_prompts(s)
        settings = {"store_audio": options.store_audio(s),
                    "retention_days": options.retention_days(s)}
    return ctx.templates.TemplateResponse(request, "admin.html", {
        "who": who, "versions": versions, "settings": settings, "prompts": recorded,
        "notice": NOTICES.get(fait),
    })


@router.post("/admin/flows/{name}/{version}/publish")
def admin_publish(
    ctx: Ctx, who: AdminUser, name: str, version: int,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> RedirectResponse:
    check_form_csrf(who, csrf_token)
    with ctx.database.transaction() as s:
        flows.publish(s, name, version)
    return RedirectResponse("/admin?fait=publication#parcours", status_code=303)


@router.get("/api/flows")
def api_flows(ctx: Ctx, who: AdminUser, name: str | None = None) -> list[dict[str, Any]]:
    with ctx.database.transaction() as s:
        return [asdict(v) for v in flows.list_versions(s, name)]


@router.post("/api/flows", status_code=201, dependencies=[CsrfChecked])
def api_new_flow_version(ctx: Ctx, who: AdminUser, body: NewFlowVersion) -> dict[str, Any]:
    with ctx.database.transaction() as s:
        record = flows.save_version(s, body.name, body.yaml_text, author=who.user.username)
    return asdict(record)


@router.post("/api/flows/{name}/versions/{version}/publish", dependencies=[CsrfChecked])
def api_publish(ctx: Ctx, who: AdminUser, name: str, version: int) -> dict[str, Any]:
    with ctx.database.transaction() as s:
        return asdict(flows.publish(s, name, version))


@router.get("/api/settings")
def api_settings(ctx: Ctx, who: AdminUser) -> dict[str, Any]:
    with ctx.database.transaction() as s:
        return {"store_audio": options.store_audio(s),
                "retention_days": options.retention_days(s)}


@router.put("/api/settings", dependencies=[CsrfChecked])
def api_change_settings(ctx: Ctx, who: AdminUser, change: SettingsChange) -> dict[str, Any]:
    with ctx.database.transaction() as s:
        if change.store_audio is not None:
            options.set_store_audio(s, change.store_audio)
        if change.retention_days is not None:
            options.set_retention_days(s, change.retention_days)
        return {"store_audio": options.store_audio(s),
                "retention_days": options.retention_days(s)}


@router.post("/api/privacy/export", dependencies=[CsrfChecked])
def api_privacy_export(ctx: Ctx, who: AdminUser, body: PhoneNumber) -> dict[str, Any]:
    with ctx.database.transaction() as s:
        return export_phone(s, body.phone)


@router.post("/api/privacy/erase", dependencies=[CsrfChecked])
def api_privacy_erase(ctx: Ctx, who: AdminUser, body: PhoneNumber) -> dict[str, Any]:
    with ctx.database.transaction() as s:
        return {"phone_erased": True, "deleted": erase_phone(s, body.phone)}
