"""What every call session shares, built once by the service: settings, the flow registry
(each call plays the version published when it starts), the speech engines (or their
absence), the database (or its absence), the switchboard, metrics, the live hub of the agent
console, the clock, and the shutdown signal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from dialogs.engine import Engine
from dialogs.hours import HoursFile
from ivr.config import ServiceSettings
from ivr.flows_live import FlowRegistry, LiveFlow
from ivr.live import CallEvent, LiveHub
from ivr.metrics import ServiceMetrics
from ivr.session.fallback_prompts import FallbackPrompts
from ivr.session.returns import TransferredCalls
from ivr.session.services_db import DatabaseServices, UnavailableServices
from ivr.session.switchboard import Switchboard
from ivr.session.whispers import Whispers
from ivr.storage.database import Database
from speech.prompts import PromptAudio
from speech.recognizer import DecoderPool, SpeechModel

Clock = Callable[[], datetime]
"""The town hall's local time, naive (the dialogue engine's clock)."""


def local_clock(timezone: str) -> Clock:
    zone = ZoneInfo(timezone)
    return lambda: datetime.now(zone).replace(tzinfo=None)


@dataclass(slots=True)
class SessionResources:
    """Shared by every call of the running service (each call keeps its own state)."""

    settings: ServiceSettings
    flows: FlowRegistry
    """The flow each new call plays (the published version, or the flow file)."""
    prompts: PromptAudio
    fallback: FallbackPrompts
    switchboard: Switchboard
    metrics: ServiceMetrics
    database: Database | None = None
    """None when the database could not be opened (nothing is stored then)."""
    model: SpeechModel | None = None
    """None when no speech model is available (calls use the keypad)."""
    pool: DecoderPool | None = None
    clock: Clock | None = None
    live: LiveHub | None = None
    """Where the agent console follows calls in progress (None: nobody follows)."""
    closing: asyncio.Event = field(default_factory=asyncio.Event)
    """Set at shutdown: calls in progress end politely."""
    transferred: TransferredCalls = field(default_factory=TransferredCalls)
    """Calls put through to a person, which come back here when nobody answers."""
    whispers: Whispers = field(default_factory=Whispers)
    """What the agent who answers a transferred call hears first (`ivr.session.whispers`)."""

    def now(self) -> datetime:
        clock = self.clock or local_clock(self.settings.service.timezone)
        return clock()

    def current_flow(self) -> LiveFlow:
        """The flow a call starting now plays (blocking: call it from a worker thread)."""
        return self.flows.current(self.settings.service.flow_name)

    def engine(
        self, flow: LiveFlow, call_id: str | None
    ) -> tuple[Engine, DatabaseServices | UnavailableServices]:
        """A dialogue engine for one call, with services recording against `call_id`."""
        services: DatabaseServices | UnavailableServices
        if self.database is None:
            services = UnavailableServices()
        else:
            hours = flow.loaded.hours or HoursFile(services={})
            services = DatabaseServices(self.database, hours, self.settings.service.timezone,
                                        call_id)
        return Engine(flow.loaded, flow.understander, services), services

    def publish(self, event: CallEvent) -> None:
        """Tell the agent console (never blocks, never raises)."""
        if self.live is not None:
            self.live.publish(event)

    def call_url(self, call_id: str) -> str:
        """The call's page in the agent console."""
        return f"{self.settings.public_url}/agent/calls/{call_id}"
