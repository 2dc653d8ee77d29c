"""The running service: the AudioSocket server (one `CallSession` per call), the AMI client and
the back office (uvicorn) in one event loop, built from `ServiceSettings`.

Start-up never fails for a missing part that calls can do without: no speech model (calls use
the keypad), no Asterisk manager (no transfers; callers are offered a callback), no database
(nothing recorded or booked; the flow says so). Each missing part is logged in one line and
reported by /healthz. Only what makes answering calls impossible stops it: an unusable flow,
or the AudioSocket port taken. `close()` refuses new calls, lets calls in progress say goodbye
within `shutdown_deadline_s` seconds, then stops the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import uuid
from collections.abc import Coroutine, Iterator
from typing import Any

import uvicorn

from dialogs.errors import DialogsError, FlowError
from dialogs.runtime import default_flow_path, french_understander
from dialogs.understanding import Understander
from ivr.agent_answers import record_agent_answers
from ivr.agent_ringing import publish_agent_phones
from ivr.call_sweep import StaleCalls, sweep_forever
from ivr.config import ConfigError, ServiceSettings
from ivr.decoder_warmup import likely_phrases, warm_decoders
from ivr.flows_live import FlowRegistry, LiveFlow
from ivr.health import ProbeResult, StatusProbe
from ivr.live import LiveHub
from ivr.live_relay import LiveRelay
from ivr.loop_lag import watch_loop_lag
from ivr.metrics import ServiceMetrics
from ivr.privacy.purge import purge_periodically
from ivr.service_probes import AmiProbe, CallsProbe, FixedProbe, SynthesisProbe
from ivr.session.call import run_call
from ivr.session.fallback_prompts import FallbackPrompts
from ivr.session.report import CallReport
from ivr.session.resources import Clock, SessionResources
from ivr.session.switchboard import AmiSwitchboard, NoSwitchboard, Switchboard
from ivr.session.whispers import play_whisper
from ivr.storage import users
from ivr.storage.database import Database, masked_url
from ivr.storage.errors import StorageError
from ivr.web.app import create_app
from speech.errors import SpeechError
from speech.models import model_path
from speech.prompts import PromptAudio, RecordedPrompts
from speech.recognizer import DecoderPool, SpeechModel
from speech.tts import Synthesizer
from telephony.ami import AmiClient
from telephony.audiosocket import AudioSocketConnection, AudioSocketServer
from telephony.errors import TelephonyError

log = logging.getLogger(__name__)
AMI_FIRST_WAIT_S = 2.0
FINISHED_KEPT = 100
"""Reports of ended calls kept in `Service.finished` for a reader; without one (`ivr serve`)
an unbounded queue grew by a report, turns and all, at every call (seen while fuzzing
AudioSocket, issue 16)."""


def _flow_title(flow: LiveFlow) -> str:
    where = f"version {flow.version}" if flow.version is not None else str(flow.loaded.path)
    return f"{flow.loaded.flow.name} ({where})"


class _Uvicorn(uvicorn.Server):
    """uvicorn without its own signal handling: the service handles SIGTERM/SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Service:
    """One running standardiste service. The keyword arguments replace a boundary (a clock,
    the synthesizer, the switchboard, the understander), for tests and other languages."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        clock: Clock | None = None,
        synthesizer: Synthesizer | None = None,
        switchboard: Switchboard | None = None,
        understander: Understander | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = ServiceMetrics()
        self.live = LiveHub()
        self.relay: LiveRelay | None = None
        """The live events shared with the other workers (PostgreSQL only)."""
        """Calls in progress, followed by the agent console."""
        self.missing: dict[str, str] = {}
        """Component -> what is missing and what calls do instead."""
        self.finished: asyncio.Queue[CallReport] = asyncio.Queue(FINISHED_KEPT)
        """Reports of ended calls, in order (for `ivr call` and tests); at most
        `FINISHED_KEPT`, the oldest dropped first (`ivr serve` reads none)."""
        self._clock = clock
        self._synthesizer = synthesizer
        self._switchboard = switchboard
        self._understander = understander
        self._ami: AmiClient | None = None
        self._pool: DecoderPool | None = None
        self._database: Database | None = None
        self._web_database: Database | None = None
        self._audiosocket: AudioSocketServer | None = None
        self._web: _Uvicorn | None = None
        self._web_task: asyncio.Task[None] | None = None
        self._web_socket: socket.socket | None = None
        self._background: set[asyncio.Task[object]] = set()
        self.resources: SessionResources | None = None
        self.flows: FlowRegistry | None = None
        """The flows calls play (published versions, else the flow file)."""

    # -- start ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Build everything and start listening; `ConfigError` when calls cannot be answered."""
        s = self.settings
        flow_path = s.service.flow or default_flow_path()
        await self._open_database()
        override = self._understander
        self.flows = FlowRegistry(
            self._database, fallback={s.service.flow_name: flow_path},
            make_understander=(lambda _loaded: override) if override else french_understander)
        try:
            flow = await asyncio.to_thread(self.flows.current, s.service.flow_name)
        except FlowError as err:
            raise ConfigError(f"the flow {flow_path} cannot be used:\n{err}") from err
        except DialogsError as err:
            raise ConfigError(f"the flow {flow_path} cannot be used: {err}") from err
        model = await self._speech_model()
        synthesizer = self._synthesizer or Synthesizer.from_settings(s.speech)
        fallback = FallbackPrompts(s.data_dir / "fallback-prompts")
        self._spawn(asyncio.to_thread(fallback.prepare, synthesizer))
        switchboard = self._switchboard or await self._start_ami()
        self.resources = SessionResources(
            settings=s, flows=self.flows,
            prompts=PromptAudio(synthesizer, RecordedPrompts(s.speech.recorded_prompts_dir)),
            fallback=fallback, switchboard=switchboard, metrics=self.metrics,
            database=self._database, model=model, pool=self._pool, clock=self._clock,
            live=self.live,
        )
        self._spawn(watch_loop_lag(self.metrics.loop_lag))
        if model is not None and s.speech.warm_decoders:
            self._spawn(warm_decoders(model, synthesizer, likely_phrases(flow.loaded.nlu_path),
                                      s.speech.warm_decoders))
        if self._database is not None:  # calls a dead worker left open on a shared database
            rule = StaleCalls(s.session.max_call_s, s.service.shutdown_deadline_s)
            self._spawn(sweep_forever(self._database, rule))
            # the retention purge: at start-up, then daily; a failure waits for the next turn
            self._spawn(purge_periodically(self._database, asyncio.Event()))
            if self._ami is not None:  # which agent's phone took each transferred call
                self._spawn(record_agent_answers(self._ami, self._database))
        if self._ami is not None:  # the console's screen-pop while an agent's phone rings
            self._spawn(publish_agent_phones(self._ami, self.live))
        if self._database is not None and self._database.dialect == "postgresql":
            # several workers on one database: one switchboard in every console
            self.relay = LiveRelay(self.live, s.database.url)
            self._spawn(self.relay.run())
        self._audiosocket = AudioSocketServer(s.audiosocket, self._handle)
        try:
            await self._audiosocket.start()
        except TelephonyError as err:
            raise ConfigError(str(err)) from err
        if s.service.web_enabled:
            await self._start_web()
        for component, detail in self.missing.items():
            log.warning("degraded: %s: %s", component, detail)
        log.info("standardiste ready: AudioSocket on %s:%d, flow %s%s", s.audiosocket.host,
                 self.audiosocket_port, _flow_title(flow),
                 f", back office on {s.public_url}" if self._web else "")

    async def _speech_model(self) -> SpeechModel | None:
        s = self.settings
        if s.session.keypad_only:
            self.missing["speech recognition"] = "off by configuration (keypad_only)"
            return None
        try:
            path = model_path(s.speech)
            model = await asyncio.to_thread(SpeechModel.load, path, s.speech.decoders)
        except SpeechError as err:
            self.missing["speech recognition"] = f"{err}; calls use keypad menus"
            return None
        self._pool = DecoderPool(s.speech.decoder_workers)
        self.metrics.watch_decoders(model.decoders)
        log.info("speech model %s loaded (%d Hz)", model.path, model.sample_rate)
        return model

    async def _open_database(self) -> None:
        url = masked_url(self.settings.database.url)  # never log a password
        try:
            database = Database(self.settings.database)
        except StorageError as err:  # its message shows the URL masked
            self.missing["database"] = (f"{err}; calls are not recorded and nothing can "
                                        "be booked or stored")
            return
        except OSError as err:
            self.missing["database"] = (f"{url}: {err}; calls are not recorded and nothing can "
                                        "be booked or stored")
            return
        self._web_database = database  # the back office reports its state in /healthz
        try:
            await asyncio.to_thread(database.upgrade)
        except Exception as err:  # any driver failure: calls go on without the database
            self.missing["database"] = (f"{url} unreachable ({type(err).__name__}); calls are "
                                        "not recorded and nothing can be booked or stored")
            return
        self._database = database
        await self._tell_about_the_first_admin(database)

    async def _tell_about_the_first_admin(self, database: Database) -> None:
        """On a fresh install nobody can sign in to the back office: say how to fix that."""
        try:
            if await database.run(users.has_accounts):
                return
        except StorageError:
            return
        log.warning("no back-office account yet: create the first admin on this server with "
                    "`.venv/bin/ivr users add NAME --role admin` (it asks for a password), "
                    "then sign in at %s/login", self.settings.public_url)

    async def _start_ami(self) -> Switchboard:
        s = self.settings
        if not s.service.ami_enabled:
            self.missing["ami"] = "disabled in the settings: no transfers; callbacks offered"
            return NoSwitchboard()
        ami = AmiClient(s.ami)
        try:
            await ami.start()
        except TelephonyError as err:  # refused settings (no secret yet): run without AMI
            self.missing["ami"] = (f"not started: {err}; no transfers; "
                                   "callers are offered a callback")
            return NoSwitchboard()
        self._ami = ami
        try:
            await self._ami.wait_connected(AMI_FIRST_WAIT_S)
        except TelephonyError:
            self.missing["ami"] = (f"Asterisk manager unreachable at {s.ami.host}:{s.ami.port} "
                                   "(retrying in the background): no transfers until it answers;"
                                   " callers are offered a callback")
        return AmiSwitchboard(self._ami)

    async def _start_web(self) -> None:
        s = self.settings
        probes: list[StatusProbe] = [
            FixedProbe("model", ProbeResult(
                "speech recognition" not in self.missing,
                self.missing.get("speech recognition", ""))),
            SynthesisProbe(),
            AmiProbe(self._ami) if self._ami is not None else FixedProbe("ami", ProbeResult(
                False, self.missing.get("ami", "no Asterisk manager: no transfers"))),
            CallsProbe(self._calls_status),
        ]
        if self._web_database is None:
            self.missing["web"] = "not started: the database settings are unusable"
            return
        app = create_app(s.web, self._web_database, probes=probes, metrics=self.metrics,
                         live=self.live, flows=self.flows, chat_now=self._clock)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((s.service.web_host, s.service.web_port))
        except OSError as err:
            sock.close()
            self.missing["web"] = f"cannot listen on {s.service.web_host}:" \
                                  f"{s.service.web_port}: {err}"
            return
        sock.listen(128)  # connections wait in the backlog until uvicorn serves them
        self._web_socket = sock
        # The app reads forwarding headers itself, from [web] trusted_proxies only: uvicorn's
        # own proxy_headers would trust them from loopback by default.
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                                proxy_headers=False)
        self._web = _Uvicorn(config)
        self._web_task = asyncio.create_task(self._web.serve(sockets=[sock]), name="web")

    def _calls_status(self) -> ProbeResult:
        server = self._audiosocket
        if server is None:
            return ProbeResult(False, "not listening")
        return ProbeResult(True, f"{len(server.calls)} call(s) in progress")

    def _spawn(self, work: Coroutine[Any, Any, object]) -> None:
        task: asyncio.Task[object] = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- calls ---------------------------------------------------------------------------
    async def _handle(self, connection: AudioSocketConnection) -> None:
        resources = self.resources
        if resources is None or resources.closing.is_set():
            await connection.hangup()  # refused: the service is stopping
            return
        whisper = resources.whispers.take(connection.call_id)
        if whisper is not None:  # an agent's phone, before the caller is connected
            await play_whisper(connection, whisper, resources.prompts)
            return
        report = await run_call(resources, connection)
        if self.finished.full():  # nobody reads them: keep the newest only
            self.finished.get_nowait()
        self.finished.put_nowait(report)

    @property
    def audiosocket_port(self) -> int:
        assert self._audiosocket is not None, "the service is not started"
        return self._audiosocket.port

    @property
    def web_port(self) -> int | None:
        if self._web_socket is None:
            return None
        return int(self._web_socket.getsockname()[1])

    @property
    def calls(self) -> dict[uuid.UUID, AudioSocketConnection]:
        return self._audiosocket.calls if self._audiosocket is not None else {}

    # -- stop ----------------------------------------------------------------------------
    async def close(self) -> None:
        """Refuse new calls, end calls in progress politely within the deadline, stop."""
        deadline = self.settings.service.shutdown_deadline_s
        if self.resources is not None:
            self.resources.closing.set()
        if self._audiosocket is not None:
            await self._audiosocket.close(deadline)
            self._audiosocket = None
        self.live.close()  # ends the agent console's event streams
        if self._web is not None and self._web_task is not None:
            self._web.should_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._web_task, 5.0)
            self._web = self._web_task = None
        if self._web_socket is not None:
            self._web_socket.close()
            self._web_socket = None
        for task in list(self._background):
            task.cancel()
        if self._background:
            await asyncio.wait(self._background)
        if self._ami is not None:
            await self._ami.close()
            self._ami = None
        if self._pool is not None:
            await asyncio.to_thread(self._pool.close)
            self._pool = None
        if self._web_database is not None:
            self._web_database.dispose()
            self._web_database = self._database = None
        log.info("standardiste stopped")
