"""The appointments calendar for agents: per service, per day or week, with cancelling.

Page: GET /agent/rendez-vous?service=S&jour=YYYY-MM-DD&vue=semaine|jour (default: every
service, this week); POST /agent/rendez-vous/{id}/annuler (form, CSRF). JSON: GET
/api/appointments?service=&since=&until= (ISO datetimes with zone), DELETE
/api/appointments/{id}. Days are local days in the town hall's time zone.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dialogs.errors import DialogsError
from ivr.storage import appointments
from ivr.storage.errors import InvalidValue, StorageError
from ivr.web.auth import AgentUser, CsrfChecked, Ctx, check_form_csrf
from ivr.web.context import WebContext

router = APIRouter()
DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")


def french_day(day: date) -> str:
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def _services(ctx: WebContext, booked: list[str]) -> list[tuple[str, str]]:
    """(service, label): the published flow's services, then any other booked service."""
    labels: dict[str, str] = {}
    try:
        hours = ctx.flows.current().loaded.hours
    except (DialogsError, StorageError):
        hours = None
    if hours is not None:
        labels = {name: service.label for name, service in hours.services.items()}
    for name in booked:
        labels.setdefault(name, name)
    return list(labels.items())


@router.get("/agent/rendez-vous", response_class=HTMLResponse)
def calendar_page(request: Request, ctx: Ctx, who: AgentUser, service: str = "",
                  jour: date | None = None, vue: Literal["semaine", "jour"] = "semaine",
                  fait: str = "") -> HTMLResponse:
    zone = ZoneInfo(ctx.settings.timezone)
    day = jour or datetime.now(zone).date()
    first = day - timedelta(days=day.weekday()) if vue == "semaine" else day
    count = 7 if vue == "semaine" else 1
    since = datetime.combine(first, datetime.min.time(), zone)
    until = datetime.combine(first + timedelta(days=count), datetime.min.time(), zone)
    with ctx.database.transaction() as s:
        found = appointments.list_appointments(s, service=service or None, since=since,
                                               until=until)
        booked = appointments.booked_services(s)
    days = [first + timedelta(days=n) for n in range(count)]
    by_day: dict[date, list[Any]] = {d: [] for d in days}
    for item in found:
        by_day.setdefault(item.starts_at.astimezone(zone).date(), []).append(item)
    step = timedelta(days=count)
    return ctx.templates.TemplateResponse(request, "calendar.html", {
        "who": who, "services": _services(ctx, booked), "service": service, "view": vue,
        "day": day, "days": [(d, french_day(d), by_day[d]) for d in days],
        "previous": (first - step).isoformat(), "next": (first + step).isoformat(),
        "title": (f"Semaine du {french_day(first)}" if vue == "semaine" else french_day(first)),
        "total": len(found), "notice": "Rendez-vous annulé." if fait == "annule" else None,
    })


@router.post("/agent/rendez-vous/{appointment_id}/annuler")
def calendar_cancel(
    ctx: Ctx, who: AgentUser, appointment_id: int,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    retour: Annotated[str, Form(max_length=300)] = "",
) -> RedirectResponse:
    check_form_csrf(who, csrf_token)
    with ctx.database.transaction() as s:
        appointments.cancel(s, appointment_id)
    back = retour if retour.startswith("/agent/rendez-vous") else "/agent/rendez-vous"
    joiner = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{joiner}fait=annule", status_code=303)


@router.get("/api/appointments")
def api_appointments(ctx: Ctx, who: AgentUser, service: str | None = None,
                     since: datetime | None = None,
                     until: datetime | None = None) -> list[dict[str, Any]]:
    for bound in (since, until):
        if bound is not None and bound.tzinfo is None:
            raise InvalidValue("since and until must carry their time zone")
    with ctx.database.transaction() as s:
        return [asdict(a) for a in appointments.list_appointments(
            s, service=service, since=since, until=until)]


@router.delete("/api/appointments/{appointment_id}", status_code=204,
               dependencies=[CsrfChecked])
def api_cancel(ctx: Ctx, who: AgentUser, appointment_id: int) -> Response:
    with ctx.database.transaction() as s:
        appointments.cancel(s, appointment_id)
    return Response(status_code=204)
