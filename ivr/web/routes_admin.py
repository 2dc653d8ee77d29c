"""The admin's page and the flow-version API.

Page: GET /admin (flow versions with publish buttons, recorded prompts, privacy settings,
accounts; their forms post to `routes_flows`, `routes_prompts`, `routes_privacy` and
`routes_users`). JSON: /api/flows (a new version's `yaml_text` replaces the main file of the
newest version, whose companion files it keeps; it is checked like any edit), and publishing
(checked, conversation tests first). Admins only.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from ivr.flow_versions import publish_checked, save_with_changes
from ivr.storage import flow_bundles, flows, options, prompts, users
from ivr.web.auth import AdminUser, CsrfChecked, Ctx

router = APIRouter()
NOTICES = {"publication": "Version publiée.", "message": "Message enregistré.",
           "reglages": "Réglages enregistrés.", "effacement": "Données du numéro effacées.",
           "compte": "Comptes mis à jour.", "poste": "Poste téléphonique enregistré."}


class NewFlowVersion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    yaml_text: str = Field(min_length=1, max_length=flows.MAX_YAML)


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, ctx: Ctx, who: AdminUser, fait: str = "") -> HTMLResponse:
    with ctx.database.transaction() as s:
        versions = flows.list_versions(s)
        recorded = prompts.list_prompts(s)
        accounts = users.list_users(s)
        settings = {"store_audio": options.store_audio(s),
                    "retention_days": options.retention_days(s)}
    return ctx.templates.TemplateResponse(request, "admin.html", {
        "who": who, "versions": versions, "settings": settings, "prompts": recorded,
        "accounts": accounts,
        "notice": NOTICES.get(fait),
    })


@router.get("/api/flows")
def api_flows(ctx: Ctx, who: AdminUser, name: str | None = None) -> list[dict[str, Any]]:
    with ctx.database.transaction() as s:
        return [asdict(v) for v in flows.list_versions(s, name)]


@router.post("/api/flows", status_code=201, dependencies=[CsrfChecked])
def api_new_flow_version(ctx: Ctx, who: AdminUser, body: NewFlowVersion) -> dict[str, Any]:
    record, _ = save_with_changes(ctx.database.transaction, body.name, None,
                             {flow_bundles.main_file(body.name): body.yaml_text},
                             author=who.user.username,
                             make_understander=ctx.flows.make_understander)
    return asdict(record)


@router.post("/api/flows/{name}/versions/{version}/publish", dependencies=[CsrfChecked])
def api_publish(ctx: Ctx, who: AdminUser, name: str, version: int) -> dict[str, Any]:
    done = publish_checked(ctx.database.transaction, name, version,
                           make_understander=ctx.flows.make_understander)
    ctx.flows.adopt(name, version, done.checked)
    return asdict(done.record)
