"""Analytics for admins: GET /admin/statistiques?jours=N (charts as inline SVG with data
tables) and GET /api/analytics?jours=N (JSON). Periods end now and cover N local days (1 to
366, default 30)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ivr.storage import analytics
from ivr.web.auth import AdminUser, Ctx
from ivr.web.charts import bar_chart, hbar_chart
from ivr.web.context import WebContext

router = APIRouter()
Days = Annotated[int, Query(ge=1, le=366)]
OUTCOME_LABELS = {"resolved": "résolus par l’assistant", "transferred": "transférés",
                  "callback": "rappel demandé", "abandoned": "raccrochés avant la fin"}


def _figures(ctx: WebContext, days: int) -> dict[str, Any]:
    zone = ZoneInfo(ctx.settings.timezone)
    now = datetime.now(zone)
    since = datetime.combine(now.date() - timedelta(days=days - 1), datetime.min.time(), zone)
    until = now + timedelta(seconds=1)
    with ctx.database.transaction() as s:
        return {
            "overview": analytics.overview(s, since, until, ctx.settings.timezone),
            "reasons": analytics.transfer_reasons(s, since, until),
            "intents": analytics.top_intents(s, since, until),
            "phrases": analytics.not_understood(s, since, until),
            "since": since, "until": now,
        }


@router.get("/admin/statistiques", response_class=HTMLResponse)
def analytics_page(request: Request, ctx: Ctx, who: AdminUser, jours: Days = 30) -> HTMLResponse:
    figures = _figures(ctx, jours)
    overview: analytics.Overview = figures["overview"]
    per_day = bar_chart(
        "Appels par jour",
        [(d.day.strftime("%d/%m"), d.calls) for d in overview.days],
        secondary=[d.resolved for d in overview.days])
    return ctx.templates.TemplateResponse(request, "analytics.html", {
        "who": who, "days": jours, **figures, "per_day": per_day,
        "reasons_chart": hbar_chart("Motifs de transfert", figures["reasons"]),
        "intents_chart": hbar_chart("Demandes les plus fréquentes", figures["intents"]),
        "outcome_labels": OUTCOME_LABELS,
    })


@router.get("/api/analytics")
def analytics_api(ctx: Ctx, who: AdminUser, jours: Days = 30) -> dict[str, Any]:
    figures = _figures(ctx, jours)
    overview: analytics.Overview = figures["overview"]
    return {
        "since": figures["since"].isoformat(), "until": figures["until"].isoformat(),
        "total": overview.total, "resolved_share": overview.resolved_share,
        "average_duration_s": overview.average_duration_s, "outcomes": overview.outcomes,
        "per_day": [{"day": d.day.isoformat(), "calls": d.calls, "resolved": d.resolved}
                    for d in overview.days],
        "transfer_reasons": figures["reasons"], "top_intents": figures["intents"],
        "not_understood": figures["phrases"],
    }
