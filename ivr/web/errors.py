"""Turning errors into answers: JSON `{"code", "message"}` under /api, French pages elsewhere.

Storage errors map to HTTP statuses by kind (not found 404, invalid 422, conflict 409,
database down 503); request validation errors are 422 with the fields at fault.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from ivr.flow_versions import FlowRejected
from ivr.storage.errors import (
    Conflict,
    DatabaseUnavailable,
    InvalidValue,
    NotFound,
    SlotTaken,
    SlotUnavailable,
    StorageError,
)
from ivr.web.auth import AuthError
from ivr.web.body_limit import BodyTooLarge
from ivr.web.context import WebContext
from ivr.web.routes_auth import login_page
from ivr.web.routes_flows import rejection_json

STATUS: list[tuple[type[StorageError], int]] = [
    (NotFound, 404), (InvalidValue, 422), (SlotUnavailable, 422), (Conflict, 409),
    (SlotTaken, 409), (DatabaseUnavailable, 503),
]
PAGE_MESSAGES = {
    401: "Connexion requise.",
    403: "Accès refusé.",
    404: "Élément introuvable : il a peut-être été supprimé.",
    409: "Cette action a déjà été faite par quelqu'un d'autre.",
    422: "Valeur refusée.",
    503: "Service momentanément indisponible. Réessayez dans un instant.",
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _page(request: Request, status: int, message: str) -> Response:
    ctx: WebContext = request.app.state.ctx
    if status == 401:
        return login_page(ctx, request, 401, "Veuillez vous connecter pour accéder à cette page.")
    return ctx.templates.TemplateResponse(
        request, "error.html", {"who": None, "status": status, "message": message},
        status_code=status)


def status_of(err: StorageError) -> int:
    for kind, status in STATUS:
        if isinstance(err, kind):
            return status
    return 500


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, err: BodyTooLarge) -> Response:
        return JSONResponse({"code": "too_large", "message": err.detail}, status_code=413,
                            headers={"Connection": "close"})

    @app.exception_handler(AuthError)
    async def _auth(request: Request, err: AuthError) -> Response:
        if _is_api(request):
            return JSONResponse({"code": err.code, "message": err.message},
                                status_code=err.status)
        return _page(request, err.status, err.message)

    @app.exception_handler(FlowRejected)
    async def _rejected(request: Request, err: FlowRejected) -> Response:
        if _is_api(request):
            return JSONResponse(rejection_json(err), status_code=422)
        return _page(request, 422, f"{PAGE_MESSAGES[422]} ({err.message})")

    @app.exception_handler(StorageError)
    async def _storage(request: Request, err: StorageError) -> Response:
        status = status_of(err)
        request.app.state.ctx.metrics.errors.labels(code=err.code).inc()
        if _is_api(request):
            return JSONResponse({"code": err.code, "message": err.message}, status_code=status)
        return _page(request, status, f"{PAGE_MESSAGES.get(status, 'Erreur.')} ({err.message})")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, err: RequestValidationError) -> Response:
        fields: list[dict[str, Any]] = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in err.errors()
        ]
        if _is_api(request):
            return JSONResponse({"code": "invalid_request", "message": "invalid request",
                                 "errors": fields}, status_code=422)
        detail = "; ".join(f["field"] for f in fields)
        return _page(request, 422, f"Formulaire incomplet ou invalide ({detail}).")
