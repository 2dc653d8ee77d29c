"""What every request handler needs, built once by `create_app` and kept on `app.state`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from argon2 import PasswordHasher
from fastapi import Request
from fastapi.templating import Jinja2Templates

from ivr.flows_live import FlowRegistry
from ivr.health import StatusProbe
from ivr.live import LiveHub
from ivr.metrics import ServiceMetrics
from ivr.storage.database import Database
from ivr.web.ratelimit import Limiter
from ivr.web.settings import WebSettings


@dataclass(frozen=True, slots=True)
class WebContext:
    settings: WebSettings
    database: Database
    hasher: PasswordHasher
    limiter: Limiter
    metrics: ServiceMetrics
    probes: Sequence[StatusProbe]
    templates: Jinja2Templates
    flows: FlowRegistry
    """Checked flow versions (cached), shared with the call sessions when the service runs."""
    live: LiveHub
    """Calls in progress, published by the call sessions."""


def web_context(request: Request) -> WebContext:
    """The app's context (a FastAPI dependency)."""
    ctx: WebContext = request.app.state.ctx
    return ctx
