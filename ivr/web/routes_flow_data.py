"""Forms that edit a flow version's data files: opening hours and closures
(/admin/flows/{name}/{version}/horaires) and knowledge-base answers
(/admin/flows/{name}/{version}/connaissances). Saving writes the file named by the flow
(`hours:` / `knowledge:`), checks the whole flow like any edit and creates a new version;
errors are shown on the form (422) and nothing is saved. Admins only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from ivr.web.flow_forms import (
    WEEKDAYS,
    hours_form,
    hours_from_form,
    kb_form,
    kb_from_form,
    to_yaml,
)
from ivr.web.routes_flows import save_changes

router = APIRouter()
KINDS = {"horaires": ("hours", "flow_hours.html"),
         "connaissances": ("knowledge", "flow_kb.html")}


def _data_file(bundle: FlowBundle, key: str) -> str:
    """Name of the file the main flow names under `key` ("hours", "knowledge")."""
    try:
        main = safe_load(bundle.files[0][1])
    except yaml.YAMLError:
        main = None
    filename = main.get(key) if isinstance(main, dict) else None
    if not isinstance(filename, str) or bundle.text(filename) is None:
        raise NotFound(f"version {bundle.version.version} of {bundle.version.name} has no "
                       f"{key} file")
    return filename


def _load(ctx: WebContext, name: str, version: int, kind: str) -> tuple[FlowBundle, str, Any]:
    if kind not in KINDS:
        raise NotFound(f"no form {kind}")
    with ctx.database.transaction() as s:
        bundle = flow_bundles.get_bundle(s, name, version)
    filename = _data_file(bundle, KINDS[kind][0])
    try:
        data = safe_load(bundle.text(filename) or "")
    except yaml.YAMLError as err:
        raise InvalidValue(f"{filename} is not valid YAML: edit it as text") from err
    return bundle, filename, data


def _render(ctx: WebContext, request: Request, who: SignedIn, kind: str, bundle: FlowBundle,
            filename: str, rows: Any, err: FlowRejected | None = None) -> HTMLResponse:
    issues = list(err.checked.errors) if err is not None and err.checked else []
    return ctx.templates.TemplateResponse(request, KINDS[kind][1], {
        "who": who, "v": bundle.version, "filename": filename, "rows": rows,
        "weekdays": WEEKDAYS, "issues": issues, "rejected": err},
        status_code=200 if err is None else 422)


@router.get("/admin/flows/{name}/{version}/horaires", response_class=HTMLResponse)
def hours_page(request: Request, ctx: Ctx, who: AdminUser, name: str,
               version: int) -> HTMLResponse:
    return _form_page(request, ctx, who, name, version, "horaires")


@router.get("/admin/flows/{name}/{version}/connaissances", response_class=HTMLResponse)
def kb_page(request: Request, ctx: Ctx, who: AdminUser, name: str,
            version: int) -> HTMLResponse:
    return _form_page(request, ctx, who, name, version, "connaissances")


@router.post("/admin/flows/{name}/{version}/horaires", response_model=None)
async def hours_save(request: Request, ctx: Ctx, who: AdminUser, name: str,
                     version: int) -> Response:
    return await _form_save(request, ctx, who, name, version, "horaires")


@router.post("/admin/flows/{name}/{version}/connaissances", response_model=None)
async def kb_save(request: Request, ctx: Ctx, who: AdminUser, name: str,
                  version: int) -> Response:
    return await _form_save(request, ctx, who, name, version, "connaissances")


def _form_page(request: Request, ctx: WebContext, who: SignedIn, name: str, version: int,
               kind: str) -> HTMLResponse:
    bundle, filename, data = _load(ctx, name, version, kind)
    rows = hours_form(data) if kind == "horaires" else kb_form(data)
    return _render(ctx, request, who, kind, bundle, filename, rows)


async def _form_save(request: Request, ctx: WebContext, who: SignedIn, name: str,
                     version: int, kind: str) -> Response:
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    check_form_csrf(who, fields.get("csrf_token"))
    # checking a flow takes about a second: never on the event loop the calls share
    return await run_in_threadpool(_save_form, request, ctx, who, name, version, kind, fields)


def _save_form(request: Request, ctx: WebContext, who: SignedIn, name: str, version: int,
               kind: str, fields: dict[str, str]) -> Response:
    bundle, filename, data = _load(ctx, name, version, kind)
    reader: Callable[[dict[str, str], Any], tuple[dict[str, Any], Any]] = (
        hours_from_form if kind == "horaires" else kb_from_form)
    structure, rows = reader(fields, data)
    text = to_yaml(structure, bundle.text(filename) or "")
    try:
        record = save_changes(ctx, who, name, version, {filename: text})
    except FlowRejected as err:
        return _render(ctx, request, who, kind, bundle, filename, rows, err)
    return RedirectResponse(f"/admin/flows/{name}/{record.version}?fait=enregistre",
                            status_code=303)

