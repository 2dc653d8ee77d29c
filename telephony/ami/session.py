"""One logged-in AMI connection over asyncio streams.

Reads messages in a task: responses resolve the pending action with the same ``ActionID``
(after collecting the events of an event list: ``EventList: start`` ... ``Complete``), other
events go to ``on_event``. The session ends when the socket closes or fails; `closed` then
resolves and pending actions fail with ``ami.closed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from telephony.ami.protocol import TERMINATOR, AmiEvent, AmiResponse, format_action, parse_message
from telephony.errors import TelephonyError

log = logging.getLogger(__name__)

MAX_MESSAGE = 1 << 20
"""Largest AMI message accepted, bytes."""


@dataclass
class _Pending:
    future: asyncio.Future[AmiResponse]
    response: AmiResponse | None = None
    events: list[AmiEvent] = field(default_factory=list)


class AmiSession:
    """A connected, logged-in AMI socket."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        on_event: Callable[[AmiEvent], None],
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._on_event = on_event
        self._pending: dict[str, _Pending] = {}
        self._ids = itertools.count(1)
        self._task: asyncio.Task[None] | None = None
        self.closed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        """Resolves with the reason when the session ends."""

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        username: str,
        secret: str,
        on_event: Callable[[AmiEvent], None],
        wait_s: float,
    ) -> AmiSession:
        """Connect, read the greeting, log in (the secret is never logged)."""
        try:
            async with asyncio.timeout(wait_s):
                reader, writer = await asyncio.open_connection(host, port, limit=MAX_MESSAGE)
        except (OSError, TimeoutError) as err:
            raise TelephonyError("ami.connect", f"cannot reach {host}:{port}: {err}") from err
        session = cls(reader, writer, on_event)
        try:
            async with asyncio.timeout(wait_s):
                greeting = await reader.readline()
            if not greeting.startswith(b"Asterisk Call Manager/"):
                raise TelephonyError("ami.connect", f"not an AMI server: {greeting[:40]!r}")
            session._task = asyncio.create_task(session._read_loop(), name="ami-read")
            response = await session.send(
                "Login", {"Username": username, "Secret": secret, "Events": "on"}, wait_s=wait_s
            )
            if not response.success:
                raise TelephonyError(
                    "ami.login", f"AMI refused the login of {username!r}: {response.message}"
                )
        except BaseException:
            await session.close()
            raise
        return session

    async def send(
        self,
        action: str,
        keys: Mapping[str, str],
        variables: Mapping[str, str] | None = None,
        wait_s: float = 5.0,
        action_id: str | None = None,
    ) -> AmiResponse:
        """Send one action, wait for its response (and its event list)."""
        if self.closed.done():
            raise TelephonyError("ami.closed", f"AMI connection closed: {self.closed.result()}")
        action_id = action_id or f"standardiste-{next(self._ids)}"
        data = format_action(action, action_id, keys, variables or {})
        pending = _Pending(asyncio.get_running_loop().create_future())
        self._pending[action_id] = pending
        try:
            self._writer.write(data)
            await self._writer.drain()
            async with asyncio.timeout(wait_s):
                return await asyncio.shield(pending.future)
        except (ConnectionError, OSError) as err:
            raise TelephonyError("ami.closed", f"AMI connection lost during {action}") from err
        except TimeoutError as err:
            raise TelephonyError("ami.timeout", f"no answer to {action} in {wait_s} s") from err
        finally:
            self._pending.pop(action_id, None)

    async def _read_loop(self) -> None:
        reason = "closed by Asterisk"
        try:
            while True:
                try:
                    raw = await self._reader.readuntil(TERMINATOR)
                except asyncio.IncompleteReadError:
                    break
                self._dispatch(raw.decode("utf-8", errors="replace"))
        except (ConnectionError, OSError, asyncio.LimitOverrunError, ValueError) as err:
            reason = f"read failed: {err}"
        finally:
            self._finish(reason)

    def _dispatch(self, text: str) -> None:
        message = parse_message(text.strip("\r\n"))
        if message is None:
            log.debug("AMI: ignored a message that is neither a response nor an event")
            return
        action_id = message.get("ActionID")
        pending = self._pending.get(action_id) if action_id else None
        if isinstance(message, AmiResponse):
            if pending is None:
                return
            if message.get("EventList").lower() == "start":
                pending.response = message
            elif not pending.future.done():
                pending.future.set_result(message)
            return
        if pending is not None and pending.response is not None:
            if message.get("EventList").lower() == "complete":
                done = AmiResponse(
                    pending.response.success, pending.response.fields, tuple(pending.events)
                )
                if not pending.future.done():
                    pending.future.set_result(done)
            else:
                pending.events.append(message)
            return
        self._on_event(message)

    def _finish(self, reason: str) -> None:
        if not self.closed.done():
            self.closed.set_result(reason)
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(
                    TelephonyError("ami.closed", f"AMI connection closed: {reason}")
                )
                pending.future.exception()  # retrieved: nobody may be waiting any more

    async def close(self) -> None:
        """Close the socket and stop reading (idempotent)."""
        self._writer.close()
        with contextlib.suppress(ConnectionError, OSError, TimeoutError):
            async with asyncio.timeout(1.0):
                await self._writer.wait_closed()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._finish("closed by the service")
