"""The AMI client the service uses: reconnecting, with an event stream and the actions it needs.

Why not the package's own client: ``asterisk-ami`` 0.1.7's ``AMIClient`` is a thread with a
blocking socket whose 3 s timeout ends an idle connection (seen against Asterisk 22: a login
left idle was dropped after 3.0 s with ``TimeoutError``), its ``AutoReconnect`` pings every
0.5 s and retries without backoff, its futures call the deprecated ``notifyAll`` (an error under
warnings-as-errors, which leaves their lock held) and it does not collect event lists. So the
transport and reconnection are written here over asyncio streams (`AmiSession`), and the
package supplies the message format (see `telephony.ami.protocol`).

Reconnection: when the connection drops, the client reconnects with exponential backoff
(``reconnect_min_s`` doubling up to ``reconnect_max_s``); calls in progress are unaffected (they
live in Asterisk and on AudioSocket), actions issued meanwhile wait for the connection up to
``action_timeout_s``. The secret is never logged nor shown in ``repr``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

from telephony.ami.channels import UUID_VARIABLE, ChannelMap, is_audiosocket, parse_uuid
from telephony.ami.control import CallControl
from telephony.ami.protocol import AmiEvent, AmiResponse, check_value
from telephony.ami.safe_text import caller_name, dialplan_text
from telephony.ami.session import AmiSession
from telephony.ami.settings import AmiSettings
from telephony.errors import TelephonyError

log = logging.getLogger(__name__)

PLACEHOLDER_SECRET = "change-me"
"""The secret shipped in manager_standardiste.conf, which a town hall must change."""


@dataclass(frozen=True, slots=True)
class OriginateResult:
    """How a call placed with `AmiClient.originate` went."""

    answered: bool
    """True when the called party answered."""
    reason: int
    """Asterisk's outcome code: 4 answered, 5 busy, 3 no answer, 8 congestion, 0 failure."""
    channel: str
    """The channel that was dialled (empty when none could be created)."""


class AmiClient(CallControl):
    """Async AMI client; `start()` it once, `close()` it at shutdown."""

    def __init__(self, settings: AmiSettings) -> None:
        self.settings = settings
        self.channels = ChannelMap()
        """AudioSocket UUID -> caller's channel, from AMI events."""
        self.connections = 0
        """Successful logins so far (1 + reconnections)."""
        self._session: AmiSession | None = None
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._subscribers: set[asyncio.Queue[AmiEvent]] = set()
        self._lagging: set[asyncio.Queue[AmiEvent]] = set()
        self._channel_changed = asyncio.Event()
        self._originates: dict[str, asyncio.Future[AmiEvent]] = {}

    async def start(self) -> None:
        """Start the connection loop (returns at once; see `wait_connected`).

        Refuses (``ami.login``) an empty secret or the shipped placeholder ``change-me``."""
        if self.settings.secret in ("", PLACEHOLDER_SECRET):
            raise TelephonyError(
                "ami.login", "set the AMI secret (manager_standardiste.conf) in the settings"
            )
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="ami-connection")

    async def wait_connected(self, wait_s: float | None = None) -> None:
        """Wait until logged in (``ami.timeout`` after ``wait_s`` seconds)."""
        wait = self.settings.action_timeout_s if wait_s is None else wait_s
        try:
            async with asyncio.timeout(wait):
                await self._connected.wait()
        except TimeoutError as err:
            raise TelephonyError("ami.timeout", f"AMI not connected after {wait} s") from err

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def close(self) -> None:
        """Stop reconnecting and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        session, self._session = self._session, None
        self._connected.clear()
        if session is not None:
            if not session.closed.done():
                with contextlib.suppress(TelephonyError):  # a polite goodbye, if it can
                    await session.send("Logoff", {}, wait_s=1.0)
            await session.close()

    async def _run(self) -> None:
        delay = self.settings.reconnect_min_s
        s = self.settings
        while True:
            try:
                session = await AmiSession.open(
                    s.host, s.port, s.username, s.secret, self._on_event, s.action_timeout_s
                )
            except TelephonyError as err:
                log.warning("AMI: %s; retrying in %.2f s", err, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, s.reconnect_max_s)
                continue
            self._session = session
            self.connections += 1
            self._connected.set()
            delay = s.reconnect_min_s
            log.info("AMI: logged in to %s:%d as %s", s.host, s.port, s.username)
            reason = await self._watch(session)
            self._connected.clear()
            self._session = None
            await session.close()
            log.warning("AMI: connection lost (%s); reconnecting", reason)

    async def _watch(self, session: AmiSession) -> str:
        """Ping while the session lives; returns why it ended."""
        while True:
            try:
                async with asyncio.timeout(self.settings.ping_interval_s):
                    return await asyncio.shield(session.closed)
            except TimeoutError:
                try:
                    await session.send("Ping", {}, wait_s=self.settings.action_timeout_s)
                except TelephonyError as err:
                    return f"ping failed: {err}"

    def _on_event(self, event: AmiEvent) -> None:
        waiter = self._originates.get(event.get("ActionID"))
        if event.name == "OriginateResponse" and waiter is not None and not waiter.done():
            waiter.set_result(event)
        if self.channels.update(event):
            # Wake whoever waits in channel_for(); later waiters get a fresh event.
            self._channel_changed.set()
            self._channel_changed = asyncio.Event()
        for queue in self._subscribers:
            if queue.full():
                queue.get_nowait()
                if queue not in self._lagging:  # say it once per reader, not per event
                    self._lagging.add(queue)
                    log.warning("AMI: an event reader is too slow; dropping its oldest events")
            queue.put_nowait(event)

    async def events(self) -> AsyncIterator[AmiEvent]:
        """Every AMI event from now on, across reconnections, until the reader stops."""
        queue: asyncio.Queue[AmiEvent] = asyncio.Queue(self.settings.event_queue_size)
        self._subscribers.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._subscribers.discard(queue)
            self._lagging.discard(queue)

    async def action(
        self,
        name: str,
        keys: Mapping[str, str],
        variables: Mapping[str, str] | None = None,
        action_id: str | None = None,
    ) -> AmiResponse:
        """Send an action once connected; ``ami.action`` if Asterisk answers with an error."""
        await self.wait_connected()
        session = self._session
        if session is None:
            raise TelephonyError("ami.closed", f"AMI connection lost before {name}")
        wait = self.settings.action_timeout_s
        response = await session.send(name, keys, variables, wait, action_id)
        if not response.success:
            raise TelephonyError("ami.action", f"{name} refused: {response.message}")
        return response

    # -- the actions the service needs ---------------------------------------------------

    async def setvar(self, channel: str, name: str, value: str) -> None:
        """Set a channel variable (``__NAME`` makes it inherited by channels it creates)."""
        await self.action("Setvar", {"Channel": channel, "Variable": name, "Value": value})

    async def getvar(self, channel: str, name: str) -> str | None:
        """A channel variable's value; None when unset."""
        response = await self.action("Getvar", {"Channel": channel, "Variable": name})
        value = response.get("Value")
        return None if value in ("", "(null)") else value

    async def redirect(self, channel: str, context: str, exten: str, priority: int = 1) -> None:
        """Move a live channel to another place of the dialplan (a transfer)."""
        keys = {"Channel": channel, "Context": context, "Exten": exten, "Priority": str(priority)}
        await self.action("Redirect", keys)

    async def transfer(
        self, call_id: uuid.UUID, reason: str, summary: str = "", target: str = "queue"
    ) -> str:
        """Hand a call to the agents: the reason and summary become channel variables the
        agent's dialplan shows (caller name, UserEvent), then the call moves to ``target``
        (``queue`` or an agent's extension) of the transfer context. Returns the channel.
        A ``target`` that could not be sent is refused before any variable is set."""
        check_value("Exten", target)
        channel = await self.channel_for(call_id)
        await self.setvar(channel, "STANDARDISTE_REASON", caller_name(reason))
        await self.setvar(channel, "STANDARDISTE_SUMMARY", dialplan_text(summary, 240))
        await self.redirect(channel, self.settings.transfer_context, target)
        return channel

    async def hangup(self, channel: str, cause: int | None = None) -> None:
        """Hang a channel up (Q.850 ``cause``, e.g. 16 normal clearing)."""
        keys = {"Channel": channel}
        if cause is not None:
            keys["Cause"] = str(cause)
        await self.action("Hangup", keys)

    async def originate(
        self,
        channel: str,
        context: str,
        exten: str,
        priority: int = 1,
        caller_id: str | None = None,
        variables: Mapping[str, str] | None = None,
        timeout_s: float = 30.0,
    ) -> OriginateResult:
        """Place a call (a call-back): ``channel`` is dialled for up to ``timeout_s`` seconds;
        once answered it runs context/exten/priority. Returns when it was answered or failed."""
        keys = {
            "Channel": channel,
            "Context": context,
            "Exten": exten,
            "Priority": str(priority),
            "Timeout": str(int(timeout_s * 1000)),
            "Async": "true",
        }
        if caller_id:
            keys["CallerID"] = caller_id
        action_id = f"standardiste-originate-{uuid.uuid4()}"
        waiter = asyncio.get_running_loop().create_future()
        self._originates[action_id] = waiter
        try:
            await self.action("Originate", keys, variables, action_id)
            async with asyncio.timeout(timeout_s + self.settings.action_timeout_s):
                event = await waiter
        except TimeoutError as err:
            raise TelephonyError("ami.timeout", f"no outcome for the call to {channel}") from err
        finally:
            del self._originates[action_id]
        reason = event.get("Reason")
        return OriginateResult(
            answered=event.get("Response").lower() == "success",
            reason=int(reason) if reason.isdigit() else 0,
            channel=event.get("Channel"),
        )

    async def queue_summary(self, queue: str) -> dict[str, int]:
        """A queue's counts: LoggedIn, Available, Callers, HoldTime, TalkTime, LongestHoldTime."""
        response = await self.action("QueueSummary", {"Queue": queue})
        for event in response.events:
            if event.name == "QueueSummary" and event.get("Queue") == queue:
                return {k: int(v) for k, v in event.fields.items() if v.isdigit()}
        raise TelephonyError("ami.not_found", f"no queue named {queue!r}")

    async def queue_members(self, queue: str) -> list[AmiEvent]:
        """The ``QueueMember`` entries of QueueStatus (Name, Status, Paused, InCall...)."""
        response = await self.action("QueueStatus", {"Queue": queue})
        return [e for e in response.events if e.name == "QueueMember"]

    async def agents_available(self, queue: str) -> int:
        """How many agents of the queue could take a call now."""
        return (await self.queue_summary(queue)).get("Available", 0)

    async def channel_for(self, call_id: uuid.UUID, wait_s: float = 2.0) -> str:
        """The caller's channel of an AudioSocket call (``ami.not_found`` if none)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        while self.channels.get(call_id) is None and loop.time() < deadline:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(deadline - loop.time()):
                    await self._channel_changed.wait()
        found = self.channels.get(call_id)
        if found is not None:
            return found
        # Missed while AMI was down: ask Asterisk which channel carries the UUID.
        response = await self.action("CoreShowChannels", {})
        for event in response.events:
            channel = event.get("Channel")
            if not channel or is_audiosocket(channel):
                continue
            with contextlib.suppress(TelephonyError):
                value = await self.getvar(channel, UUID_VARIABLE)
                if value is not None and parse_uuid(value) == call_id:
                    self.channels.add(call_id, channel)
                    return channel
        raise TelephonyError("ami.not_found", f"no channel carries call {call_id}")
