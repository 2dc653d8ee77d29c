"""Moving a call to a person: the `Switchboard` boundary, its AMI implementation, and the
pure pieces (where a flow queue goes in the dialplan, which channel variables carry the
call's context).

Channel variables set before the redirect (all inherited, `__` prefix): STANDARDISTE_CALL_ID,
STANDARDISTE_INTENT, STANDARDISTE_SLOTS ("name=value;...", neither holding = or ;),
STANDARDISTE_REASON, STANDARDISTE_SUMMARY (short French summary), STANDARDISTE_CALL_URL (the
call's page in the agent console) and STANDARDISTE_QUEUE (the Asterisk queue of the `queue`
extension). Values are one line of dialplan-safe characters (`telephony.ami.safe_text`: no
caller or flow text can become dialplan syntax), at most `MAX_VALUE` characters; the reason,
which the shipped dialplan makes the agent's caller name, is `safe_text.caller_name`'s: at
most `CALLER_NAME_CHARS` (the same bound as `AmiClient.transfer`'s), cut between whole
characters, and never empty (`NO_REASON`: else the trunk's own name, bytes as they came).

The caller's number is read back from the channel (``CALLERID(num)``); the AMI reader has
already made any invalid UTF-8 in it U+FFFD (a trunk can send ``%FF`` in its From URI, which
Asterisk stores unescaped). A caller ID that is not a phone number is taken as unknown (None):
the call is recorded and shown without it, never refused by storage for it.

Before the service hangs a call up on purpose it sets STANDARDISTE_NEXT=end (`mark_end`): the
shipped dialplan then hangs up too, while a leg cut later without it (a worker that died) sends
the caller to the fallback (README, "Several workers"). Asterisk cannot tell the two apart by
itself: a closed AudioSocket connection and a hangup message end the channel the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

from dialogs.events import Transfer
from ivr.config.sections import TransferSection
from ivr.session.errors import TransferUnavailable
from ivr.storage.errors import InvalidValue
from ivr.storage.phone import optional_phone
from telephony.ami import AmiClient
from telephony.ami.safe_text import caller_name, dialplan_text, pairs_text
from telephony.errors import TelephonyError

log = logging.getLogger(__name__)

LINK_LOST = frozenset({"ami_down", "ami.closed", "ami.timeout", "ami.connect"})
"""Transfer failure codes that mean the AMI link went away (worth waiting for it to return)."""
MAX_VALUE = 400
"""Most characters of a context variable other than the reason, characters."""
CALLER_ID_WAIT_S = 0.5
"""Longest wait for the caller's channel when the call starts, seconds."""
MARK_END_WAIT_S = 1.0
"""Longest wait for Asterisk to take the end mark before the service hangs up anyway, s."""
NEXT_VARIABLE = "STANDARDISTE_NEXT"
QUEUE_PREFIX = "queue:"


@dataclass(frozen=True, slots=True)
class Target:
    """Where a transferred call goes: a dialplan place and, for a queue, its Asterisk name."""

    context: str
    exten: str
    asterisk_queue: str | None
    """Asterisk queue behind the extension (agents are counted there), None for a phone."""


def plan(settings: TransferSection, flow_queue: str) -> Target:
    """The dialplan target of a flow queue (see `TransferSection.routes`)."""
    route = settings.routes.get(flow_queue, "")
    if route.startswith(QUEUE_PREFIX):
        return Target(settings.context, settings.exten, route[len(QUEUE_PREFIX):])
    if route:
        return Target(settings.context, route, None)
    return Target(settings.context, settings.exten, settings.asterisk_queue)


def one_line(text: str) -> str:
    """A value safe for AMI and the dialplan (`telephony.ami.safe_text.dialplan_text`: one
    line of letters, digits, spaces and . ' - / _ @ + :), at most `MAX_VALUE` characters."""
    return dialplan_text(text, MAX_VALUE)


def context_variables(
    call_id: str, transfer: Transfer, intent: str | None, slots: Mapping[str, str],
    call_url: str, target: Target,
) -> dict[str, str]:
    """The channel variables carrying the call's context to the agent."""
    values = {
        "STANDARDISTE_CALL_ID": call_id,
        "STANDARDISTE_INTENT": intent or "",
        "STANDARDISTE_SUMMARY": transfer.summary or transfer.reason,
        "STANDARDISTE_CALL_URL": call_url,
    }
    if target.asterisk_queue is not None:
        values["STANDARDISTE_QUEUE"] = target.asterisk_queue
    clean = {name: one_line(value) for name, value in values.items()}
    clean["STANDARDISTE_REASON"] = caller_name(transfer.reason)  # the agent's caller name
    pairs = pairs_text(dict(slots), MAX_VALUE)
    for name, why in pairs.left_out:
        # The slot's name comes from the flow; its value (what the caller said) is not logged.
        log.warning("call %s: slot %r left out of STANDARDISTE_SLOTS (%s)",
                    call_id, name[:40], why)
    clean["STANDARDISTE_SLOTS"] = pairs.text
    return clean


def phone_number(call_id: uuid.UUID, caller_id: str | None) -> str | None:
    """The caller ID as stored (`ivr.storage.phone.optional_phone`), None when it is absent
    or not a phone number (logged by its length only: it may be personal)."""
    try:
        return optional_phone(caller_id)
    except InvalidValue:
        log.info("call %s: a caller ID of %d characters is not a phone number; the call goes "
                 "on without it", call_id, len(caller_id or ""))
        return None


class Switchboard(ABC):
    """The telephone system as the session sees it (a test double subclasses it)."""

    @property
    @abstractmethod
    def up(self) -> bool:
        """Whether transfers can be attempted at all now."""

    @abstractmethod
    async def agents_available(self, asterisk_queue: str) -> int:
        """Agents free in the queue; `TransferUnavailable` when that cannot be known."""

    @abstractmethod
    async def transfer(
        self, call_id: uuid.UUID, variables: Mapping[str, str], target: Target
    ) -> None:
        """Set the variables on the caller's channel and redirect it; `TransferUnavailable`."""

    async def caller_number(self, call_id: uuid.UUID) -> str | None:
        """The caller's number (caller ID) as stored (`phone_number`), None when unknown or
        not a phone number."""
        return None

    @property
    def reconnects(self) -> bool:
        """Whether a switchboard that is down may come back by itself (worth waiting for)."""
        return False

    async def wait_up(self, wait_s: float) -> bool:
        """Wait up to ``wait_s`` seconds for transfers to be possible again; whether they are."""
        return self.up

    async def mark_end(self, call_id: uuid.UUID) -> bool:
        """Tell the dialplan the service ends this call on purpose (not a crash); whether it
        was told. Never raises: the call ends either way."""
        return False


class NoSwitchboard(Switchboard):
    """No AMI configured: transfers are never possible."""

    @property
    def up(self) -> bool:
        return False

    async def agents_available(self, asterisk_queue: str) -> int:
        raise TransferUnavailable("AMI is disabled", "ami_disabled")

    async def transfer(
        self, call_id: uuid.UUID, variables: Mapping[str, str], target: Target
    ) -> None:
        raise TransferUnavailable("AMI is disabled", "ami_disabled")


class AmiSwitchboard(Switchboard):
    """Transfers through Asterisk's manager interface."""

    def __init__(self, ami: AmiClient) -> None:
        self.ami = ami

    @property
    def up(self) -> bool:
        return self.ami.connected

    @property
    def reconnects(self) -> bool:
        return True

    async def wait_up(self, wait_s: float) -> bool:
        with contextlib.suppress(TelephonyError):
            await self.ami.wait_connected(wait_s)
        return self.ami.connected

    async def agents_available(self, asterisk_queue: str) -> int:
        if not self.ami.connected:
            raise TransferUnavailable("AMI is not connected", "ami_down")
        try:
            return await self.ami.agents_available(asterisk_queue)
        except TelephonyError as err:
            raise TransferUnavailable(f"queue {asterisk_queue}: {err}", err.code) from err

    async def transfer(
        self, call_id: uuid.UUID, variables: Mapping[str, str], target: Target
    ) -> None:
        if not self.ami.connected:
            raise TransferUnavailable("AMI is not connected", "ami_down")
        try:
            channel = await self.ami.channel_for(call_id)
            for name, value in variables.items():
                await self.ami.setvar(channel, f"__{name}", value)
            await self.ami.redirect(channel, target.context, target.exten)
        except TelephonyError as err:
            raise TransferUnavailable(f"transfer of {call_id} failed: {err}", err.code) from err
        log.info("call %s moved to %s,%s,1", call_id, target.context, target.exten)

    async def caller_number(self, call_id: uuid.UUID) -> str | None:
        if not self.ami.connected:
            return None
        try:
            channel = await self.ami.channel_for(call_id, wait_s=CALLER_ID_WAIT_S)
            return phone_number(call_id, await self.ami.getvar(channel, "CALLERID(num)"))
        except TelephonyError as err:
            log.info("call %s: caller number unknown (%s)", call_id, err)
            return None

    async def mark_end(self, call_id: uuid.UUID) -> bool:
        why = "AMI is not connected"
        if self.ami.connected:
            try:
                async with asyncio.timeout(MARK_END_WAIT_S):
                    channel = await self.ami.channel_for(call_id, wait_s=CALLER_ID_WAIT_S)
                    await self.ami.setvar(channel, NEXT_VARIABLE, "end")
                return True
            except (TelephonyError, TimeoutError) as err:
                why = str(err) or "no answer in time"
        log.warning("call %s: end not marked (%s); Asterisk will take it for a cut call",
                    call_id, why)
        return False
