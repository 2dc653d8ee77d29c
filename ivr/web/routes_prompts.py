"""Recorded prompts (admins): upload a WAV that replaces the synthetic voice for a prompt id,
listen to it, delete it.

Page: the "Messages enregistrés" section of /admin, with an upload form (multipart:
`prompt_id`, `file`, `csrf_token`). JSON/audio: GET /api/prompts, PUT/GET/DELETE
/api/prompts/{prompt_id} (PUT takes the raw WAV as the body). Accepted audio: see
`ivr.storage.prompts.check_wav` (16-bit mono PCM WAV, 8-48 kHz, at most 60 s).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse

from ivr.storage import prompts
from ivr.web.auth import AdminUser, CsrfChecked, Ctx, check_form_csrf

router = APIRouter()
TOO_LARGE = {"code": "too_large",
             "message": f"a recording is limited to {prompts.MAX_BYTES} bytes"}


@router.post("/admin/prompts")
async def admin_upload_prompt(
    ctx: Ctx, who: AdminUser,
    prompt_id: Annotated[str, Form(max_length=64)],
    file: Annotated[UploadFile, File()],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    check_form_csrf(who, csrf_token)
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
