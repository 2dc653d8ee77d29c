"""Recorded prompts (admins): upload a WAV that replaces the synthetic voice for a prompt id,
listen to it, delete it.

Page: the "Messages enregistrés" section of /admin, with an upload form (multipart:
`prompt_id`, `file`, `csrf_token`). JSON/audio: GET /api/prompts, PUT/GET/DELETE
/api/prompts/{prompt_id} (PUT takes the raw WAV as the body). Accepted audio: see
`ivr.storage.prompts.check_wav` (16-bit mono PCM WAV, 8-48 kHz, at most 60 s).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.datastructures import UploadFile

from ivr.storage import prompts
from ivr.storage.errors import InvalidValue
from ivr.web.auth import AdminUser, CsrfChecked, Ctx, check_form_csrf

router = APIRouter()
TOO_LARGE = {"code": "too_large",
             "message": f"a recording is limited to {prompts.MAX_BYTES} bytes"}


@router.post("/admin/prompts")
async def admin_upload_prompt(request: Request, ctx: Ctx, who: AdminUser) -> Response:
    # The form is read here, after the sign-in check (a Form()/File() parameter would make
    # FastAPI read and spool the upload before any dependency runs); the body limit
    # (`ivr.web.body_limit`) bounds what is read.
    async with request.form(max_files=1, max_fields=2, max_part_size=1024) as form:
        token, prompt_id, file = form.get("csrf_token"), form.get("prompt_id"), form.get("file")
        check_form_csrf(who, token if isinstance(token, str) else "")
        if not isinstance(prompt_id, str) or not 0 < len(prompt_id) <= 64:
            raise InvalidValue("identifiant de message manquant ou trop long")
        if not isinstance(file, UploadFile):
            raise InvalidValue("fichier WAV manquant")
        data = await file.read(prompts.MAX_BYTES + 1)
    if len(data) > prompts.MAX_BYTES:
        data = b""  # refused below with a clear message, like any invalid file
    await ctx.database.run(prompts.save_prompt, prompt_id.strip(), data,
                           uploaded_by=who.user.username)
    return RedirectResponse("/admin?fait=message#messages", status_code=303)


@router.get("/api/prompts")
def api_prompts(ctx: Ctx, who: AdminUser) -> list[dict[str, Any]]:
    with ctx.database.transaction() as s:
        return [asdict(p) for p in prompts.list_prompts(s)]


@router.put("/api/prompts/{prompt_id}", dependencies=[CsrfChecked])
async def api_put_prompt(
    request: Request, ctx: Ctx, who: AdminUser, prompt_id: str
) -> Response:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > prompts.MAX_BYTES:
        return JSONResponse(TOO_LARGE, status_code=413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > prompts.MAX_BYTES:
            return JSONResponse(TOO_LARGE, status_code=413)
    record = await ctx.database.run(prompts.save_prompt, prompt_id, bytes(body),
                                    uploaded_by=who.user.username)
    return JSONResponse({"prompt_id": record.prompt_id, "uploaded_by": record.uploaded_by,
                         "uploaded_at": record.uploaded_at.isoformat(),
                         "size_bytes": len(record.wav)})


@router.get("/api/prompts/{prompt_id}")
def api_get_prompt(ctx: Ctx, who: AdminUser, prompt_id: str) -> Response:
    with ctx.database.transaction() as s:
        record = prompts.get_prompt(s, prompt_id)
    return Response(record.wav, media_type="audio/wav")


@router.delete("/api/prompts/{prompt_id}", status_code=204, dependencies=[CsrfChecked])
def api_delete_prompt(ctx: Ctx, who: AdminUser, prompt_id: str) -> Response:
    with ctx.database.transaction() as s:
        prompts.delete_prompt(s, prompt_id)
    return Response(status_code=204)
