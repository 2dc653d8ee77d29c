"""The announcements page of a flow version (admins only): list, add and expire the messages
of the file the flow names under `announcements:`.

GET /admin/flows/{name}/{version}/annonces lists them with their state at the town hall's
local time (en cours, à venir, terminée). POST .../annonces (form: csrf_token, id, text, start,
end, priority, topics, urgent) adds or replaces one; POST .../annonces/{id}/terminer sets its
end to now (local time, minute precision), so callers stop hearing it. Each change writes the
file (its leading comment kept), checks the whole flow and saves a NEW version (303 to it; not
published); a refused change shows the errors again (422) and nothing is saved. Dates are
"YYYY-MM-DD" (a whole day) or "YYYY-MM-DDTHH:MM" (local time).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dialogs.yaml_safe import safe_load
from ivr.flow_versions import FlowRejected
from ivr.storage import flow_bundles
from ivr.storage.errors import InvalidValue, NotFound
from ivr.storage.records import FlowBundle
from ivr.storage.web_sessions import SignedIn
from ivr.web.auth import AdminUser, Ctx, check_form_csrf
from ivr.web.context import WebContext
from ivr.web.flow_forms import to_yaml
from ivr.web.routes_flows import save_changes

router = APIRouter()
ID = re.compile(r"^[a-z0-9_]{1,60}$")
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$")


def _moment(value: Any, end: bool) -> datetime | None:
    """A start/end value as a comparable local datetime (a bare end date covers its day)."""
    if value is None or value == "":
        return None
    text = value.isoformat() if isinstance(value, date) else str(value)
    moment = datetime.fromisoformat(text[:16] if "T" in text else text[:10])
    if end and "T" not in text:
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment


def _load(ctx: WebContext, name: str, version: int) -> tuple[FlowBundle, str, dict[str, Any]]:
    with ctx.database.transaction() as s:
        bundle = flow_bundles.get_bundle(s, name, version)
    try:
        main = safe_load(bundle.files[0][1])
        filename = main.get("announcements") if isinstance(main, dict) else None
        data = safe_load(bundle.text(filename) or "") if isinstance(filename, str) else None
    except yaml.YAMLError as err:
        raise InvalidValue("a file of this version is not valid YAML: edit it as text") from err
    if not isinstance(filename, str) or bundle.text(filename) is None:
        raise NotFound(f"version {version} of {name} has no announcements file")
    return bundle, filename, data if isinstance(data, dict) else {}


def _rows(ctx: WebContext, data: dict[str, Any]) -> list[dict[str, Any]]:
    now = datetime.now(ZoneInfo(ctx.settings.timezone)).replace(tzinfo=None)
    rows = []
    for ident, spec in (data.get("announcements") or {}).items():
        spec = spec if isinstance(spec, dict) else {}
        try:
            start, end = _moment(spec.get("start"), False), _moment(spec.get("end"), True)
        except ValueError:
            start = end = None
        state = ("terminée" if end is not None and end <= now else
                 "à venir" if start is not None and now < start else "en cours")
        rows.append({"id": str(ident), "text": str(spec.get("text", "")),
                     "start": str(spec.get("start", "") or ""),
                     "end": str(spec.get("end", "") or ""), "urgent": bool(spec.get("urgent")),
                     "topics": ", ".join(str(t) for t in spec.get("topics", []) or []),
                     "state": state})
    return rows


def _page(request: Request, ctx: WebContext, who: SignedIn, bundle: FlowBundle, filename: str,
          data: dict[str, Any], err: FlowRejected | None = None) -> HTMLResponse:
    issues = list(err.checked.errors) if err is not None and err.checked else []
    return ctx.templates.TemplateResponse(request, "flow_announcements.html", {
        "who": who, "v": bundle.version, "filename": filename, "rows": _rows(ctx, data),
        "issues": issues, "rejected": err}, status_code=200 if err is None else 422)


@router.get("/admin/flows/{name}/{version}/annonces", response_class=HTMLResponse)
def announcements_page(request: Request, ctx: Ctx, who: AdminUser, name: str,
                       version: int) -> HTMLResponse:
    bundle, filename, data = _load(ctx, name, version)
    return _page(request, ctx, who, bundle, filename, data)


def _added(fields: dict[str, str]) -> tuple[str, dict[str, Any]]:
    ident, text = fields.get("id", "").strip(), " ".join(fields.get("text", "").split())
    if not ID.match(ident):
        raise FlowRejected("the identifier is 1 to 60 lowercase letters, digits or _")
    if not text:
        raise FlowRejected("the announcement needs its text")
    spec: dict[str, Any] = {"text": text}
    for key in ("start", "end"):
        value = fields.get(key, "").strip()
        if value and not MOMENT.match(value):
            raise FlowRejected(f"{key}: write YYYY-MM-DD or YYYY-MM-DDTHH:MM, not {value!r}")
        if value:
            spec[key] = value
    priority = fields.get("priority", "").strip()
    if priority:
        if not re.fullmatch(r"-?\d{1,4}", priority):
            raise FlowRejected("the priority is a whole number")
        spec["priority"] = int(priority)
    if fields.get("urgent"):
        spec["urgent"] = True
    topics = [t for t in re.split(r"[\s,;]+", fields.get("topics", "")) if t]
    if topics:
        spec["topics"] = topics
    return ident, spec


async def _change(request: Request, ctx: WebContext, who: SignedIn, name: str, version: int,
                  expire: str | None) -> Response:
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    check_form_csrf(who, fields.get("csrf_token"))
    return await run_in_threadpool(_save, request, ctx, who, name, version, fields, expire)


def _save(request: Request, ctx: WebContext, who: SignedIn, name: str, version: int,
          fields: dict[str, str], expire: str | None) -> Response:
    bundle, filename, data = _load(ctx, name, version)
    items = dict(data.get("announcements") or {})
    try:
        if expire is not None:
            if expire not in items or not isinstance(items[expire], dict):
                raise NotFound(f"no announcement {expire}")
            now = datetime.now(ZoneInfo(ctx.settings.timezone)).replace(tzinfo=None)
            items[expire] = {**items[expire], "end": now.strftime("%Y-%m-%dT%H:%M")}
        else:
            ident, spec = _added(fields)
            items[ident] = spec
        text = to_yaml({**data, "announcements": items}, bundle.text(filename) or "")
        record = save_changes(ctx, who, name, version, {filename: text})
    except FlowRejected as err:
        return _page(request, ctx, who, bundle, filename, data, err)
    return RedirectResponse(f"/admin/flows/{name}/{record.version}?fait=enregistre",
                            status_code=303)


@router.post("/admin/flows/{name}/{version}/annonces", response_model=None)
async def announcement_add(request: Request, ctx: Ctx, who: AdminUser, name: str,
                           version: int) -> Response:
    return await _change(request, ctx, who, name, version, None)


@router.post("/admin/flows/{name}/{version}/annonces/{ident}/terminer", response_model=None)
async def announcement_expire(request: Request, ctx: Ctx, who: AdminUser, name: str,
                              version: int, ident: str) -> Response:
    return await _change(request, ctx, who, name, version, ident)
