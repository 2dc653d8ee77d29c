"""Flow versions for admins: list, history, view, edit (checked on save), diff, publish
(conversation tests first), import of the shipped flow.

Pages: /admin/flows, /admin/flows/{name}, /admin/flows/{name}/{version},
/admin/flows/{name}/{version}/modifier?fichier=F (textarea editor), /admin/flows/{name}/diff.
JSON: GET /api/flows/{name}/versions/{version} (files), POST /api/flows/{name}/versions
({"files": {...}, "base_version": N}), GET /api/flows/{name}/diff?de=&a=.
A refused save or publish answers 422 `flow_rejected` with the issues or failing tests.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from dialogs.runtime import default_flow_path
from ivr.flow_bundle import is_error
from ivr.flow_versions import (
    FlowRejected,
    import_directory,
    publish_checked,
    save_with_changes,
)
from ivr.storage import flow_bundles, flows
from ivr.storage.errors import InvalidValue, NotFound
from ivr.storage.records import FlowVersionRecord
from ivr.storage.web_sessions import SignedIn
from ivr.web.auth import AdminUser, CsrfChecked, Ctx, check_form_csrf
from ivr.web.context import WebContext
from ivr.web.diffs import diff_versions

router = APIRouter()
NOTICES = {"enregistre": "Nouvelle version enregistrée (elle n’est pas encore publiée).",
           "publie": "Version publiée : les nouveaux appels l’utilisent dès maintenant.",
           "importe": "Parcours fourni importé comme première version."}


class NewVersion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    files: dict[str, Annotated[str, Field(max_length=flow_bundles.MAX_TOTAL)]] = Field(
        min_length=1, max_length=flow_bundles.MAX_FILES)
    base_version: int | None = None


def rejection_json(err: FlowRejected) -> dict[str, Any]:
    issues = list(err.checked.issues if err.checked else ())
    issues += list(err.report.issues if err.report else ())
    return {
        "code": err.code, "message": err.message,
        "issues": [asdict(issue) for issue in issues],
        "failures": [{"file": f, "conversation": o.name, "details": list(o.failures)}
                     for f, o in (err.report.failures if err.report else [])],
    }


def save_changes(ctx: WebContext, who: SignedIn, name: str, version: int,
                 changes: dict[str, str]) -> FlowVersionRecord:
    """A new version: `version`'s files with `changes`, checked; `FlowRejected` (also for a
    bad file name or YAML) and nothing saved otherwise. Blocking (about a second)."""
    try:
        record, _ = save_with_changes(ctx.database.transaction, name, version, changes,
                                 author=who.user.username,
                                 make_understander=ctx.flows.make_understander)
    except FlowRejected:
        raise
    except InvalidValue as err:
        raise FlowRejected(err.message) from err
    return record


def _page(ctx: WebContext, request: Request, template: str, data: dict[str, Any],
          status: int = 200) -> HTMLResponse:
    return ctx.templates.TemplateResponse(request, template, data, status_code=status)


@router.get("/admin/flows", response_class=HTMLResponse)
def flows_page(request: Request, ctx: Ctx, who: AdminUser, fait: str = "") -> HTMLResponse:
    with ctx.database.transaction() as s:
        versions = flows.list_versions(s)
    by_name: dict[str, list[Any]] = {}
    for v in versions:
        by_name.setdefault(v.name, []).append(v)
    return _page(ctx, request, "flows.html", {"who": who, "flows": by_name,
                                              "notice": NOTICES.get(fait)})


@router.post("/admin/flows/import")
def flows_import(ctx: Ctx, who: AdminUser,
                 csrf_token: Annotated[str, Form(max_length=128)] = "") -> RedirectResponse:
    check_form_csrf(who, csrf_token)
    record = import_directory(ctx.database.transaction, default_flow_path(),
                              author=who.user.username,
                              make_understander=ctx.flows.make_understander)
    return RedirectResponse(f"/admin/flows/{record.name}?fait=importe", status_code=303)


@router.get("/admin/flows/{name}", response_class=HTMLResponse)
def flow_history(request: Request, ctx: Ctx, who: AdminUser, name: str,
                 fait: str = "") -> HTMLResponse:
    with ctx.database.transaction() as s:
        versions = flows.list_versions(s, name)
    if not versions:
        raise NotFound(f"no flow {name}")
    return _page(ctx, request, "flow_history.html", {
        "who": who, "name": name, "versions": versions, "notice": NOTICES.get(fait)})


@router.get("/admin/flows/{name}/diff", response_class=HTMLResponse)
def flow_diff_page(request: Request, ctx: Ctx, who: AdminUser, name: str, de: int,
                   a: int) -> HTMLResponse:
    with ctx.database.transaction() as s:
        old = dict(flow_bundles.get_bundle(s, name, de).files)
        new = dict(flow_bundles.get_bundle(s, name, a).files)
    return _page(ctx, request, "flow_diff.html", {
        "who": who, "name": name, "old": de, "new": a, "files": diff_versions(old, new)})


@router.get("/admin/flows/{name}/{version}", response_class=HTMLResponse)
def flow_version_page(request: Request, ctx: Ctx, who: AdminUser, name: str, version: int,
                      fait: str = "") -> HTMLResponse:
    with ctx.database.transaction() as s:
        bundle = flow_bundles.get_bundle(s, name, version)
        newest = flows.list_versions(s, name)[0].version
    return _page(ctx, request, "flow_version.html", {
        "who": who, "bundle": bundle, "v": bundle.version, "newest": newest,
        "notice": NOTICES.get(fait)})


def _editor(ctx: WebContext, request: Request, who: Any, name: str, version: int,
            filename: str, text: str, err: FlowRejected | None = None) -> HTMLResponse:
    with ctx.database.transaction() as s:
        bundle = flow_bundles.get_bundle(s, name, version)
    issues = list(err.checked.issues) if err is not None and err.checked else []
    errors = [i for i in issues if is_error(i)]
    return _page(ctx, request, "flow_edit.html", {
        "who": who, "bundle": bundle, "v": bundle.version, "filename": filename,
        "text": text, "issues": errors + [i for i in issues if not is_error(i)],
        "warnings": [i for i in issues if not is_error(i)],
        "error_count": len(errors) or 1, "rejected": err}, 200 if err is None else 422)


@router.get("/admin/flows/{name}/{version}/modifier", response_class=HTMLResponse)
def flow_edit_page(request: Request, ctx: Ctx, who: AdminUser, name: str, version: int,
                   fichier: str = "") -> HTMLResponse:
    with ctx.database.transaction() as s:
        bundle = flow_bundles.get_bundle(s, name, version)
    filename = fichier or bundle.main_file
    text = bundle.text(filename)
    if text is None:
        raise NotFound(f"no file {filename} in version {version} of {name}")
    return _editor(ctx, request, who, name, version, filename, text)


@router.post("/admin/flows/{name}/{version}/modifier", response_model=None)
def flow_edit_save(
    request: Request, ctx: Ctx, who: AdminUser, name: str, version: int,
    fichier: Annotated[str, Form(max_length=128)],
    text: Annotated[str, Form(max_length=flow_bundles.MAX_TOTAL)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    check_form_csrf(who, csrf_token)
    text = text.replace("\r\n", "\n")
    try:
        record = save_changes(ctx, who, name, version, {fichier: text})
    except FlowRejected as err:
        return _editor(ctx, request, who, name, version, fichier, text, err)
    return RedirectResponse(f"/admin/flows/{name}/{record.version}?fait=enregistre",
                            status_code=303)


@router.post("/admin/flows/{name}/{version}/publish", response_model=None)
def flow_publish(
    request: Request, ctx: Ctx, who: AdminUser, name: str, version: int,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    check_form_csrf(who, csrf_token)
    try:
        done = publish_checked(ctx.database.transaction, name, version,
                               make_understander=ctx.flows.make_understander)
    except FlowRejected as err:
        return _page(ctx, request, "flow_rejected.html", {
            "who": who, "name": name, "version": version, "err": err}, 422)
    ctx.flows.adopt(name, version, done.checked)  # the next call need not load it
    return RedirectResponse(f"/admin/flows/{name}?fait=publie", status_code=303)


@router.get("/api/flows/{name}/versions/{version}")
def api_flow_files(ctx: Ctx, who: AdminUser, name: str, version: int) -> dict[str, Any]:
    with ctx.database.transaction() as s:
        bundle = flow_bundles.get_bundle(s, name, version)
    return {**asdict(bundle.version), "files": dict(bundle.files)}


@router.post("/api/flows/{name}/versions", status_code=201, dependencies=[CsrfChecked])
def api_flow_new_version(ctx: Ctx, who: AdminUser, name: str,
                         body: NewVersion) -> dict[str, Any]:
    record, checked = save_with_changes(ctx.database.transaction, name, body.base_version,
                                   body.files, author=who.user.username,
                                   make_understander=ctx.flows.make_understander)
    return {**asdict(record), "warnings": [asdict(i) for i in checked.issues]}


@router.get("/api/flows/{name}/diff")
def api_flow_diff(ctx: Ctx, who: AdminUser, name: str, de: int, a: int) -> list[dict[str, Any]]:
    with ctx.database.transaction() as s:
        old = dict(flow_bundles.get_bundle(s, name, de).files)
        new = dict(flow_bundles.get_bundle(s, name, a).files)
    return [asdict(d) for d in diff_versions(old, new)]
