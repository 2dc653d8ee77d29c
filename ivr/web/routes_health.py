"""/healthz (JSON, for monitoring and the installer) and /metrics (Prometheus text format).

/healthz asks every status probe, each in a thread with a timeout, and answers 200 with
"status": "ok" when all are fine, 503 with "status": "degraded" otherwise. Neither endpoint
needs signing in: they reveal no personal data (put them behind the firewall all the same).
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from ivr.health import ProbeResult, StatusProbe
from ivr.web.auth import Ctx

router = APIRouter()


async def _ask(probe: StatusProbe, timeout_s: float) -> ProbeResult:
    try:
        return await asyncio.wait_for(asyncio.to_thread(probe.check), timeout_s)
    except TimeoutError:
        return ProbeResult(False, f"no answer within {timeout_s:g} s")
    except Exception as err:  # a broken probe must not break /healthz
        return ProbeResult(False, f"probe failed: {err.__class__.__name__}")


@router.get("/healthz")
async def healthz(ctx: Ctx) -> JSONResponse:
    results = await asyncio.gather(*(_ask(p, ctx.settings.probe_timeout_s) for p in ctx.probes))
    checks = {p.name: {"ok": r.ok, "detail": r.detail} for p, r in zip(ctx.probes, results,
                                                                          strict=True)}
    healthy = all(r.ok for r in results)
    return JSONResponse({"status": "ok" if healthy else "degraded", "checks": checks},
                        status_code=200 if healthy else 503)


@router.get("/metrics")
def metrics(ctx: Ctx) -> Response:
    body, content_type = ctx.metrics.render()
    return Response(body, media_type=content_type)
