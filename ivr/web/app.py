"""The back-office application factory: `create_app(settings, database, ...)`.

Everything the app uses is passed in or built here and kept on `app.state.ctx`; there are no
module globals. The service passes its real status probes (speech model, AMI) and the
`ServiceMetrics` its call sessions update; tests pass their own.

Pages are server-rendered French HTML (Jinja2 templates shipped in `ivr/web/templates`), with
one small stylesheet and a few small vanilla JavaScript files (simulator, live calls, prompt
recording, editor) loaded from /static: no front-end build step, every page works with the
keyboard and a screen reader. Responses carry a strict Content-Security-Policy (no inline
script or style).

The service passes the `FlowRegistry` its calls use (so the simulator and the calls share
checked versions) and the `LiveHub` its call sessions publish to; both are made here when
not given (tests, a back office alone).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ivr.flows_live import FlowRegistry
from ivr.health import DatabaseProbe, StatusProbe
from ivr.live import LiveHub
from ivr.metrics import ServiceMetrics
from ivr.storage.database import Database
from ivr.web import (
    routes_admin,
    routes_agent,
    routes_analytics,
    routes_announcements,
    routes_auth,
    routes_calendar,
    routes_chat,
    routes_chat_agent,
    routes_flow_data,
    routes_flows,
    routes_health,
    routes_learning,
    routes_live,
    routes_privacy,
    routes_prompts,
    routes_simulator,
    routes_users,
)
from ivr.web.body_limit import BodyLimit
from ivr.web.chat import ChatRooms
from ivr.web.chat_settings import ChatSettings
from ivr.web.client_address import ClientAddresses
from ivr.web.context import WebContext
from ivr.web.errors import install_error_handlers
from ivr.web.ratelimit import ADDRESS_FACTOR, SharedLoginLimiter
from ivr.web.settings import WebSettings

HERE = Path(__file__).resolve().parent
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
EMBEDDABLE_PATHS = frozenset({"/chat"})
"""Pages a town's website may show in an iframe (no X-Frame-Options, any frame ancestor)."""
EMBEDDABLE_CSP = "default-src 'self'; form-action 'self'"


def create_app(
    settings: WebSettings,
    database: Database,
    *,
    probes: Sequence[StatusProbe] = (),
    metrics: ServiceMetrics | None = None,
    hasher: PasswordHasher | None = None,
    clock: Callable[[], float] | None = None,
    flows: FlowRegistry | None = None,
    live: LiveHub | None = None,
    chat: ChatSettings | None = None,
    chat_now: Callable[[], datetime] | None = None,
) -> FastAPI:
    """Build the app. `probes` come on top of the database probe added here; `clock`
    (wall-clock seconds, the same on every worker: the workers share the sign-in limits and
    the web chats through the database) drives the rate limits and the chats' expiry;
    `flows` and `live` are shared with the call sessions (made here when not given); `chat`
    sets the web chat's limits and `chat_now` its clock (naive local time; default: now in
    the town hall's time zone)."""
    app = FastAPI(title="standardiste", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    zone = ZoneInfo(settings.timezone)
    templates.env.filters["local_time"] = lambda moment: moment.astimezone(zone).strftime(
        "%d/%m/%Y %H:%M")
    templates.env.filters["local_hour"] = lambda moment: moment.astimezone(zone).strftime(
        "%H:%M")
    app.state.ctx = WebContext(
        settings=settings,
        database=database,
        hasher=hasher or PasswordHasher(),
        limiter=SharedLoginLimiter(database, settings.login_max_failures,
                                   settings.login_window_s, clock or time.time),
        metrics=metrics or ServiceMetrics(),
        probes=(DatabaseProbe(database), *probes),
        templates=templates,
        flows=flows or FlowRegistry(database),
        live=live or LiveHub(),
    )

    ctx = app.state.ctx
    app.state.client_addresses = ClientAddresses(settings.trusted_proxies)
    app.state.sign_in_by_address = SharedLoginLimiter(
        database, ADDRESS_FACTOR * settings.login_max_failures, settings.login_window_s,
        clock or time.time)
    app.state.chat = ChatRooms(
        chat or ChatSettings(), database, ctx.flows, ctx.live, settings.timezone,
        now=chat_now or (lambda: datetime.now(zone).replace(tzinfo=None)),
        clock=clock or time.time)

    # Inside the security headers (added first = inner): its 413 answers carry them too.
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)

    @app.middleware("http")
    async def _security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        headers = dict(SECURITY_HEADERS)
        if request.url.path in EMBEDDABLE_PATHS:
            del headers["X-Frame-Options"]
            headers["Content-Security-Policy"] = EMBEDDABLE_CSP
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    @app.get("/", include_in_schema=False)
    def _root() -> RedirectResponse:
        return RedirectResponse("/agent", status_code=303)

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    routers = (routes_auth, routes_agent, routes_live, routes_calendar, routes_admin,
               routes_flows, routes_flow_data, routes_simulator, routes_analytics,
               routes_prompts, routes_privacy, routes_users, routes_health, routes_chat,
               routes_chat_agent, routes_learning, routes_announcements)
    for module in routers:
        app.include_router(module.router)
    install_error_handlers(app)
    return app
